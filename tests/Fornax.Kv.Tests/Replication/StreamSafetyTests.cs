using Fornax.Testing;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>A replication stream faces a hostile or confused peer: garbage is refused whole, a replay changes nothing.</summary>
public sealed class StreamSafetyTests
{
    private static IKvStore Site(string name) => Replicating(name, "cart:");

    /// <summary>Runs a session of <paramref name="store"/> against frames written by hand, the first a hello (the session
    /// is with the site it names, as if the link had authenticated that one); returns how it ended.</summary>
    internal static Task<Exception?> Feed(IKvStore store, params byte[][] frames) =>
        FeedAs(store, Frames.DecodeHello(frames[0]).Site, frames);

    /// <summary>As <see cref="Feed"/>, on a link that authenticated <paramref name="peer"/>.</summary>
    internal static async Task<Exception?> FeedAs(IKvStore store, string peer, params byte[][] frames)
    {
        var (ours, theirs) = PipeTransport.Pair();
        var session = KvReplication.For(store).RunPeerAsync(ours, peer, CancellationToken.None);
        foreach (var frame in frames)
        {
            await theirs.SendAsync(frame, CancellationToken.None);
        }

        theirs.Close();
        try
        {
            await session.WaitAsync(TimeSpan.FromSeconds(20));
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static byte[] Hello(string site) => Frames.EncodeHello(site, 42, 42, []);

    [Theory]
    [InlineData(new byte[] { 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 200, 1, 2 })]               // a state length past the end
    [InlineData(new byte[] { 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1, 0x6B, 1, 0, 2 })]     // a replica index not in the batch's table
    [InlineData(new byte[] { 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 4, 3, 1, 0x6B, 0 })]          // a key sharing a prefix with no key before
    [InlineData(new byte[] { 3, 1, 0, 0, 0, 0, 0, 0, 0, 200, 1 })]                    // a replica table past the end
    [InlineData(new byte[] { 3, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 10, 0, 1, 0x6B, 0, 1, 1, 0, 0, 1, 0x41 })] // a value's dot its key's clock does not cover
    [InlineData(new byte[] { 99 })]                                                     // an unknown frame type
    [InlineData(new byte[] { 4, 1 })]                                                   // a truncated ack
    [InlineData(new byte[] { 7 })]                                                      // a catch-up asked for with no stamp
    [InlineData(new byte[] { 9, 1, 0, 0, 0, 0, 0, 0, 0, 0 })]                           // a catch-up's end with a byte too many
    public async Task Garbage_IsRefused_AndNothingApplied(byte[] garbage)
    {
        await using var store = Site("a");
        store.Set("cart:1", "kept");
        var error = await Feed(store, Hello("evil"), garbage);
        Assert.IsType<ReplicationProtocolException>(error);
        Assert.Equal("kept", store.Get("cart:1"));
        Assert.Equal(1, store.Count);
    }

    /// <summary>A hello names the epoch its sender knew of the receiver and its forgotten stores' epochs; an older site's
    /// hello ends before them (read as: never met, none forgotten); a count a peer could make the site loop over is refused.</summary>
    [Fact]
    public void AHelloWithoutTheForgottenEpochs_ReadsAsNone_AndAHostileCountIsRefused()
    {
        var hello = Frames.DecodeHello(Frames.EncodeHello("b", 1, 2, [], knownPeerEpoch: 3, forgottenEpochs: [4, 5]));
        Assert.Equal(3L, hello.KnownPeerEpoch);
        Assert.Equal([4L, 5L], hello.ForgottenEpochs);

        var full = Frames.EncodeHello("b", 1, 2, []);
        var older = Frames.DecodeHello(full.AsSpan(0, full.Length - 12)); // without the known epoch and the count: as an older site wrote it
        Assert.Equal((0L, 0), (older.KnownPeerEpoch, older.ForgottenEpochs.Count));

        foreach (var count in new[] { -1, Frames.MaxForgottenEpochs + 1 })
        {
            var hostile = Frames.EncodeHello("b", 1, 2, []);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(hostile.AsSpan(hostile.Length - 4), count);
            var error = Assert.Throws<ReplicationProtocolException>(() => Frames.DecodeHello(hostile));
            Assert.Contains($"{count} forgotten epochs", error.Message, StringComparison.Ordinal);
        }

        var truncated = Frames.EncodeHello("b", 1, 2, [], 3, [4]);
        Assert.Throws<ReplicationProtocolException>(() => Frames.DecodeHello(truncated.AsSpan(0, truncated.Length - 1)));
    }

    /// <summary>The link authenticated the neighbour; a hello naming another site (here, a neighbour that is away) would
    /// take over that site's position — what it acknowledged, what it needs — and is refused before anything changes.</summary>
    [Fact]
    public async Task AHelloNamingAnotherSiteThanTheLinks_IsRefused_AndThatSitesPositionIsUntouched()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        await using (var link = new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            a.Set("cart:1", "1");
            await Poll.UntilAsync(() => b.Get("cart:1") == "1" && ((KvEngine)a).Replication.PositionOf("b") is { CatchingUp: false } p && p.Acked >= ((KvEngine)a).CurrentVersion,
                "b to get cart:1 and acknowledge it");
        }

        var before = a.Stats.Peers.Single();
        var error = await FeedAs(a, "evil", Frames.EncodeHello("b", 42, 42, []));
        Assert.IsType<ReplicationProtocolException>(error);
        Assert.Contains("\"b\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"evil\"", error.Message, StringComparison.Ordinal);
        var after = a.Stats.Peers.Single();
        Assert.Equal(("b", false, before.CatchUps), (after.Site, after.Connected, after.CatchUps)); // no catch-up from an epoch not b's
        Assert.Equal(before.PendingKeys, after.PendingKeys);
    }

    [Fact]
    public async Task GarbageAfterAGoodState_InTheSameBatch_AppliesNoneOfIt()
    {
        await using var source = Site("b");
        source.Set("cart:good", "v");
        var good = ((KvEngine)source).Export("cart:good"u8)!;
        var batch = new BatchWriter();
        batch.Reset();
        batch.Append(good);
        var frame = batch.ToFrame(1).Concat(new byte[] { 5, 0, 0, 0, 1, 2, 3, 4, 5 }).ToArray();

        await using var store = Site("a");
        Assert.IsType<ReplicationProtocolException>(await Feed(store, Hello("b"), frame));
        Assert.Null(store.Get("cart:good"));
    }

    [Fact]
    public async Task ReplayedBatches_AreIdempotent()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        TestLink link;
        await using ((link = new TestLink(KvReplication.For(a), KvReplication.For(b))).ConfigureAwait(false))
        {
            a.Run(tx => tx.IncrementBy(B("cart:n"), 5));
            a.Do(tx => tx.SetAdd(B("cart:s"), B("x")));
            await Poll.UntilAsync(() => b.Get("cart:n") == "5" && b.Members("cart:s").Length == 1, "b to catch up");
        }

        // Every frame a sent, sent again by someone claiming to be a (same incarnation: replays are skipped; and
        // under another incarnation they are merged again, which changes nothing).
        var sent = link.Pipes.A.Sent.Where(f => f[0] == Frames.Batch).ToArray();
        Assert.NotEmpty(sent);
        foreach (var hello in new[] { link.Pipes.A.Sent[0], Frames.EncodeHello("a", 7, 42, []) })
        {
            Assert.Null(await Feed(b, [hello, .. sent, .. sent]));
            Assert.Equal("5", b.Get("cart:n"));
            Assert.Equal(["x"], b.Members("cart:s"));
        }
    }

    [Fact]
    public async Task Tombstones_AreCollected_OnceEveryPeerAcknowledgedTheDelete()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        for (var i = 0; i < 100; i++)
        {
            a.Set($"cart:{i}", "v");
            a.Do(tx => tx.Delete(B($"cart:{i}")));
        }

        a.Set("cart:last", "v");
        await Poll.UntilAsync(() => b.Get("cart:last") == "v", "b to get cart:last");
        await Poll.UntilAsync(() => a.Stats.Tombstones == 0 && b.Stats.Tombstones == 0,
            "the tombstones to go", describe: () => $"a has {a.Stats.Tombstones}, b has {b.Stats.Tombstones}");
        Assert.Equal(1, a.Count);
        Assert.Equal(1, b.Count);
        Assert.Null(b.Get("cart:5"));
    }

    /// <summary>
    /// Regression: the receiver's sender toward the deleting site was not woken by what that site sent it, so deletes
    /// that arrived once the link was idle kept their tombstones at the receiver for good.
    /// </summary>
    [Fact]
    public async Task Tombstones_AreCollected_AtTheReceiver_WhenTheDeletesArriveOnAnIdleLink()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        a.Set("cart:warm", "v");
        await Poll.UntilAsync(() => b.Get("cart:warm") == "v" && a.Stats.Tombstones == 0, "the link to settle");

        a.Set("cart:gone", "v");
        a.Do(tx => tx.Delete(B("cart:gone")));
        a.Set("cart:last", "v");
        await Poll.UntilAsync(() => b.Get("cart:last") == "v", "b to get cart:last");
        await Poll.UntilAsync(() => a.Stats.Tombstones == 0 && b.Stats.Tombstones == 0,
            "the tombstones to go", describe: () => $"a has {a.Stats.Tombstones}, b has {b.Stats.Tombstones}");
        Assert.Equal(2, b.Count);
    }
}
