using Fornax.Testing;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>Catching up by digests over key ranges: a peer gets what differs, not a full copy; garbage digests drop the link.</summary>
public sealed class CatchUpTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Keys = 20_000;

    private static IKvStore Site(string name)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = name, Random = new Random(name.Length) });
        KvReplication.For(store).SetKeyspaces(["cart:"]);
        return store;
    }

    private static KvPeerStats Towards(IKvStore store, string peer) => store.Stats.Peers.Single(p => p.Site == peer);

    /// <summary>A source with <see cref="Keys"/> keys of about 100 bytes each.</summary>
    private static IKvStore Source()
    {
        var source = Site("a");
        var value = new string('v', 96);
        for (var i = 0; i < Keys; i += 500)
        {
            var from = i;
            source.Do(tx =>
            {
                for (var k = from; k < from + 500; k++)
                {
                    tx.SetString(B($"cart:{k}"), B($"{value}{k}"), null, false);
                }
            });
        }

        return source;
    }

    /// <summary>Links a new replica holding the keys <paramref name="holds"/> picks (copied as they are at the source).</summary>
    private static async Task<(IKvStore Replica, TestLink Link)> CatchUpAsync(IKvStore source, string name, Func<int, bool> holds)
    {
        var replica = Site(name);
        for (var i = 0; i < Keys; i++)
        {
            if (holds(i))
            {
                ((KvEngine)replica).Merge(((KvEngine)source).Export(B($"cart:{i}"))!);
            }
        }

        var link = new TestLink(KvReplication.For(source), KvReplication.For(replica));
        await Poll.UntilAsync(() => replica.Count == Keys && Towards(source, name).PendingKeys == 0 && source.Stats.Peers.Single(p => p.Site == name).KeysSent > 0,
            $"{name} to hold every key", describe: () => $"{replica.Count} keys");
        return (replica, link);
    }

    /// <summary>
    /// Both sides catching up at once over a stream that holds one unread frame (as flow control makes a real stream
    /// wait): each answers the other's digest requests while its own batches wait for room, and both converge.
    /// </summary>
    [Fact]
    public async Task CatchUp_BothWaysOverAStreamWithFlowControl_Converges()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        var value = new string('v', 96);
        foreach (var (store, name) in new[] { (a, "a"), (b, "b") })
        {
            for (var i = 0; i < 4_000; i += 500)
            {
                var from = i;
                store.Do(tx =>
                {
                    for (var k = from; k < from + 500; k++)
                    {
                        tx.SetString(B($"cart:{name}{k}"), B($"{value}{k}"), null, false);
                    }
                });
            }
        }

        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b), capacity: 1);
        await Poll.UntilAsync(() => a.Count == 8_000 && b.Count == 8_000, "both sides to hold every key",
            describe: () => $"a {a.Count} keys, b {b.Count} keys");
    }

    [Fact]
    public async Task CatchUp_ReplicaHolding99Percent_ReceivesAboutOnePercent()
    {
        await using var source = Source();
        var (empty, emptyLink) = await CatchUpAsync(source, "new", _ => false);
        await using var _new = empty;
        await using var _emptyLink = emptyLink;
        var (most, mostLink) = await CatchUpAsync(source, "most", i => i % 100 != 7);
        await using var _most = most;
        await using var _mostLink = mostLink;

        var full = Towards(source, "new");
        var delta = Towards(source, "most");
        output.WriteLine($"new replica: {full.KeysSent} keys, {full.BytesSent} bytes; 99% replica: {delta.KeysSent} keys, {delta.BytesSent} bytes");
        Assert.Equal(Keys, full.KeysSent); // a new replica gets every key, once
        Assert.InRange(delta.KeysSent, Keys / 100, Keys / 100 * 3 / 2); // the 200 missing, and few more
        Assert.True(delta.BytesSent < full.BytesSent / 10, $"{delta.BytesSent} bytes sent to the replica holding 99%, {full.BytesSent} for a full copy");
        Assert.Equal($"{new string('v', 96)}1207", most.Get("cart:1207"));
    }

    [Fact]
    public async Task CatchUp_KeysChangedAtTheReplica_ConvergeBothWays()
    {
        await using var source = Source();
        var replica = Site("b");
        await using var _replica = replica;
        for (var i = 0; i < Keys; i += 2)
        {
            ((KvEngine)replica).Merge(((KvEngine)source).Export(B($"cart:{i}"))!);
        }

        replica.Set("cart:10", "changed at b");
        replica.Set("cart:only-b", "b");
        await using var link = new TestLink(KvReplication.For(source), KvReplication.For(replica));
        await Poll.UntilAsync(() => replica.Count == Keys + 1 && source.Get("cart:only-b") == "b" && source.Get("cart:10") == "changed at b",
            "both sides to converge", describe: () => $"b holds {replica.Count}, a reads {source.Get("cart:10")}");
        Assert.InRange(Towards(replica, "a").KeysSent, 2, 50);
    }

    /// <summary>
    /// The digest walks release the store's lock every few thousand keys, so writes land in the middle of them: keys
    /// changed, deleted (their slots freed and reused) and created at the source during a catch-up of a replica that
    /// holds most keys, while the replica's interest changes back and forth (each change starts the catch-up over,
    /// also while a reply is being compared). Both end with the same keys and values.
    /// </summary>
    [Fact]
    public async Task CatchUp_WhileTheSourceWritesAndTheInterestChanges_Converges()
    {
        await using var source = Source();
        var replica = Site("b");
        await using var _replica = replica;
        for (var i = 0; i < Keys; i++)
        {
            if (i % 50 != 3)
            {
                ((KvEngine)replica).Merge(((KvEngine)source).Export(B($"cart:{i}"))!);
            }
        }

        using var stop = new CancellationTokenSource();
        long writes = 0;
        var writer = Task.Run(() =>
        {
            var random = new Random(17);
            for (var n = 0; !stop.IsCancellationRequested; n++, Interlocked.Increment(ref writes))
            {
                var key = $"cart:{random.Next(Keys + 2_000)}";
                if (n % 4 == 0)
                {
                    source.Do(tx => tx.Delete(B(key)));
                }
                else
                {
                    source.Set(key, $"w{n}");
                }

                if (n % 50 == 0)
                {
                    // A keyspace added at the source starts its catch-ups over from another thread than the link's.
                    KvReplication.For(n % 100 == 0 ? source : replica).SetKeyspaces(n % 200 < 100 ? ["cart:", "other:"] : ["cart:"]);
                }
            }
        });

        await using var link = new TestLink(KvReplication.For(source), KvReplication.For(replica));
        await Poll.UntilAsync(() => Interlocked.Read(ref writes) >= 20_000, "the writer to write 20,000 times during the catch-up", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await writer;
        KvReplication.For(source).SetKeyspaces(["cart:"]);
        KvReplication.For(replica).SetKeyspaces(["cart:"]);

        await Poll.UntilAsync(() => Differences(source, replica) == 0, "both sides to hold the same keys and values",
            describe: () => $"{Differences(source, replica)} keys differ; a {source.Count} keys, b {replica.Count}");
        output.WriteLine($"catch-ups a→b {Towards(source, "b").CatchUps}, b→a {Towards(replica, "a").CatchUps}; writes {Interlocked.Read(ref writes)}");
    }

    /// <summary>A keyspace added at the source while it compares a digest reply: the catch-up starts over, and the new
    /// one's replies are not taken for the replaced one's (which had arrived).</summary>
    [Fact]
    public async Task CatchUp_StartedOverWhileAReplyIsCompared_StillCompletes()
    {
        await using var source = Source();
        var replica = Site("b");
        await using var _replica = replica;
        for (var i = 0; i < Keys; i += 2)
        {
            ((KvEngine)replica).Merge(((KvEngine)source).Export(B($"cart:{i}"))!);
        }

        var restarted = 0;
        ((KvEngine)source).Replication.ComparingDigests = () =>
        {
            if (Interlocked.Exchange(ref restarted, 1) == 0)
            {
                KvReplication.For(source).SetKeyspaces(["cart:", "other:"]);
            }
        };

        await using var link = new TestLink(KvReplication.For(source), KvReplication.For(replica));
        await Poll.UntilAsync(() => replica.Count == Keys, "b to hold every key", describe: () => $"b holds {replica.Count}");
        Assert.Equal(1, restarted);
        Assert.True(Towards(source, "b").CatchUps >= 2);
    }

    private static int Differences(IKvStore a, IKvStore b)
    {
        var keys = Enumerable.Range(0, Keys + 2_000).Select(i => $"cart:{i}");
        return keys.Count(key => a.View(key) != b.View(key));
    }

    public static TheoryData<byte[]> GarbageDigests() => new()
    {
        Frames.EncodeDigestReply(new ulong[3], new int[3]),                  // not 16 digests per range asked (or none asked)
        new byte[] { Frames.DigestReply, 255, 255, 255, 127 },               // a count past the end
        Frames.EncodeDigestRequest(16, [0]),                                 // deeper than a token
        new byte[] { Frames.DigestRequest, 0, 0, 0, 0, 0 },                  // no ranges
        new byte[] { Frames.DigestRequest, 0, 1, 16, 0, 0 },                 // over 4,096 ranges
        Frames.EncodeDigestRequest(1, [16]),                                 // a range that does not exist at depth 1
        Frames.EncodeDigestRequest(2, [5, 3]),                               // ranges out of order
        Frames.EncodeDigestRequest(2, [3]).Concat(new byte[] { 1 }).ToArray(), // trailing bytes
    };

    [Theory]
    [MemberData(nameof(GarbageDigests))]
    public async Task GarbageDigests_DropTheLink_AndChangeNothing(byte[] garbage)
    {
        await using var store = Site("a");
        store.Set("cart:1", "kept");
        var error = await StreamSafetyTests.Feed(store, Frames.EncodeHello("evil", 1, 1, []), garbage);
        Assert.IsType<ReplicationProtocolException>(error);
        Assert.Equal("kept", store.Get("cart:1"));
        Assert.Equal(1, store.Count);
    }
}
