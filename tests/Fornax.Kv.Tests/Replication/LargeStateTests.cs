using System.Collections.Concurrent;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A set or hash of more than <see cref="KeyState.LargeElements"/> elements is encoded for peers, for digests and for
/// the disk from a copy, off the store's lock (encoded under it, a 950,000-field hash held every client of the site for
/// half a second or more), and a new replica takes such a key's tables as they arrive instead of merging them element by
/// element. What travels and what is written must be the same as before.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LargeStateTests : TwoDurableSites
{
    private const int Elements = 3 * KeyState.LargeElements;

    private static IKvStore Open(string dir, string site) => OpenSite(dir, site, "big:");

    /// <summary>Records where large copies were encoded, checking each time that the store's lock is free: another
    /// thread must be able to take it (a caller holding it would keep it for the whole wait, and the check fails).</summary>
    private static ConcurrentBag<string> WatchLargeEncodings(IKvStore store, string site, ConcurrentBag<string> failures)
    {
        var seen = new ConcurrentBag<string>();
        var engine = (KvEngine)store;
        engine.EncodingLarge = where =>
        {
            // A thread of its own: a task waited on may run inline, on this thread, where the lock is re-entrant.
            var free = false;
            var other = new Thread(() =>
            {
                if (engine.Gate.TryEnter(TimeSpan.FromSeconds(10)))
                {
                    engine.Gate.Exit();
                    free = true;
                }
            });
            other.Start();
            other.Join();
            seen.Add(where);
            if (!free)
            {
                failures.Add($"{where} at {site}: encoded with the store's lock held");
            }
        };
        return seen;
    }

    [Fact]
    public async Task ANewReplica_OfALargeSetAndHash_WrittenMeanwhile_ConvergesAndKeepsThemAcrossARestart()
    {
        var a = Open(DirA.Path, "a");
        await using var aStore = a;
        Fill(a, 0, Elements);
        var b = Open(DirB.Path, "b");
        var failures = new ConcurrentBag<string>();
        var atA = WatchLargeEncodings(a, "a", failures);
        var atB = WatchLargeEncodings(b, "b", failures);

        await using (new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            // Written while the keys travel: the copies are of a moment, and the changes after it follow.
            Fill(a, Elements, 100);
            a.Do(tx => tx.HashDelete(B("big:hash"), B("f:3")));
            await Poll.UntilAsync(
                () => b.View("big:set") == a.View("big:set") && b.View("big:hash") == a.View("big:hash") && Idle(a, b),
                "b to hold the set and the hash as a does",
                TimeSpan.FromSeconds(60),
                describe: () => $"b has {Count(b, "big:set")} members, {Count(b, "big:hash")} fields");
        }

        Assert.Empty(failures);
        Assert.Contains("batch", atA);
        Assert.Contains("digest", atA);
        Assert.Contains("disk", atB); // b wrote every element of the keys it took whole
        Assert.Equal(Elements + 100, Count(b, "big:set"));
        Assert.Equal(Elements + 99, Count(b, "big:hash"));

        await b.DisposeAsync();
        await using var reopened = Open(DirB.Path, "b");
        Assert.Equal(a.View("big:set"), reopened.View("big:set"));
        Assert.Equal(a.View("big:hash"), reopened.View("big:hash"));
    }

    /// <summary>A site restarted after changing a large key sends it whole (its delta history was in memory); the peer,
    /// which holds the key and changed it too meanwhile, merges it off the lock, and both end equal, on disk too.</summary>
    [Fact]
    public async Task AWholeLargeState_IntoTheKeyAPeerHolds_IsMergedOffTheLock_WithTheChangesOfBothSides()
    {
        var a = Open(DirA.Path, "a");
        Fill(a, 0, Elements);
        var b = Open(DirB.Path, "b");
        await using (new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            await Poll.UntilAsync(() => b.View("big:hash") == a.View("big:hash") && Idle(a, b), "b to hold the hash");
        }

        // Cut: each side changes the hash; a restarts, so its change can only go whole.
        a.Do(tx =>
        {
            tx.HashSet(B("big:hash"), B("f:1"), B("changed at a"));
            tx.HashDelete(B("big:hash"), B("f:2"));
            tx.HashSet(B("big:hash"), B("new-at-a"), B("x"));
        });
        b.Do(tx => tx.HashSet(B("big:hash"), B("new-at-b"), B("y")));
        await a.DisposeAsync();
        a = Open(DirA.Path, "a");
        await using var aStore = a;

        var failures = new ConcurrentBag<string>();
        var atB = WatchLargeEncodings(b, "b", failures);
        await using (new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            await Poll.UntilAsync(() => b.View("big:hash") == a.View("big:hash") && Idle(a, b), "a and b to agree on the hash",
                TimeSpan.FromSeconds(60), describe: () => $"a has {Count(a, "big:hash")} fields, b {Count(b, "big:hash")}");
        }

        Assert.Empty(failures);
        Assert.Contains("merge", atB);
        Assert.Equal("changed at a", b.Run(tx => tx.HashTryGet(B("big:hash"), B("f:1"), out var v) ? System.Text.Encoding.UTF8.GetString(v) : null));
        Assert.False(b.Run(tx => tx.HashTryGet(B("big:hash"), B("f:2"), out _)));
        Assert.Equal(Elements + 1, Count(b, "big:hash")); // one removed, one added at each side

        await b.DisposeAsync();
        await using var reopened = Open(DirB.Path, "b");
        Assert.Equal(a.View("big:hash"), reopened.View("big:hash"));
    }

    /// <summary>A change of more elements than a large key has, to a large set the peer holds, goes as a delta (those
    /// elements only) and is encoded off the lock like a whole large state: its encoding costs as much per element.</summary>
    [Fact]
    public async Task ALargeDelta_OfALargeSetThePeerHolds_IsEncodedOffTheLock_AndTravelsAsADelta()
    {
        var a = Open(DirA.Path, "a");
        await using var aStore = a;
        Fill(a, 0, Elements);
        await using var b = Open(DirB.Path, "b");
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await Poll.UntilAsync(() => b.View("big:set") == a.View("big:set") && Idle(a, b), "b to hold the set", TimeSpan.FromSeconds(60));
        var failures = new ConcurrentBag<string>();
        var atA = WatchLargeEncodings(a, "a", failures);
        var deltasBefore = ((KvEngine)a).Replication.DeltasSent;

        a.Do(tx =>
        {
            for (var i = 0; i < KeyState.LargeElements + 100; i++)
            {
                tx.SetAdd(B("big:set"), B($"more:{i}"));
            }

            tx.SetRemove(B("big:set"), B("m:7"));
        });

        await Poll.UntilAsync(() => b.View("big:set") == a.View("big:set") && Idle(a, b), "b to hold the set's new members", TimeSpan.FromSeconds(60),
            describe: () => $"b has {Count(b, "big:set")} members");
        Assert.Empty(failures);
        Assert.Contains("batch", atA);
        Assert.Equal(deltasBefore + 1, ((KvEngine)a).Replication.DeltasSent);
        Assert.Equal(0, ((KvEngine)b).Replication.DeltasWithoutBase);
        Assert.Equal(Elements + KeyState.LargeElements + 100 - 1, Count(b, "big:set"));
    }

    [Fact]
    public void AKeySeenNothingOf_TakesALargeStatesTables_WithoutItsEmptyElements()
    {
        var remote = new KeyState(B("big:hash"));
        var dot = new Dot(1, 7);
        remote.Clock.Observe(dot);
        remote.Fields = new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance);
        for (var i = 0; i < Elements; i++)
        {
            remote.Fields[B($"f:{i}")] = i % 1000 == 0 ? ValueCell.Empty : new ValueCell([new Register(dot, B($"v{i}"))], []);
        }

        var local = new KeyState(remote.Key);
        Assert.True(KeyMerge.MergeInto(local, remote));

        Assert.Equal(Elements - (Elements / 1000) - 1, local.Fields!.Count);
        Assert.DoesNotContain(local.Fields.Values, cell => cell.IsEmpty);
        Assert.Equal(KvType.Hash, local.Type);
        Assert.True(local.RewriteElements); // the disk writer writes every element
        Assert.True(local.Clock.Covers(dot));
    }

    /// <summary>The copy encodes as the state does, every part of it: a part added to the state and not to the copy
    /// would be lost on the way to peers and to the disk.</summary>
    [Fact]
    public void TheCopyForEncoding_EncodesAsTheState()
    {
        var state = new KeyState(B("big:any"));
        var dot = new Dot(3, 11);
        state.Clock.Observe(dot);
        state.Clock.Observe(new Dot(5, 12));
        state.Str = new ValueCell([new Register(dot, B("text"))], [new CounterShare(new Dot(5, 12), 2, 0.5)]);
        state.Members = new Dictionary<byte[], AddDot[]>(ByteArrayComparer.Instance) { [B("m")] = [new AddDot(dot)] };
        state.Fields = new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance) { [B("f")] = new ValueCell([new Register(dot, B("v"))], []) };
        state.Expiry = [new ExpiryEntry(dot, 1_800_000_000_000)];
        state.RecomputeDerived();

        var copy = state.CopyForEncoding();

        Assert.Equal(KeyCodec.ToArray(state), KeyCodec.ToArray(copy));
        state.Fields[B("g")] = ValueCell.Empty; // the copy's tables are its own
        state.Members[B("n")] = [new AddDot(dot)];
        state.Clock.Observe(new Dot(7, 13));
        Assert.False(copy.Fields!.ContainsKey(B("g")));
        Assert.False(copy.Members!.ContainsKey(B("n")));
        Assert.Equal(2, copy.Clock.Entries.Length);
    }

    private static void Fill(IKvStore store, int from, int count) => store.Do(tx =>
    {
        for (var i = from; i < from + count; i++)
        {
            tx.SetAdd(B("big:set"), B($"m:{i}"));
            tx.HashSet(B("big:hash"), B($"f:{i}"), B($"v{i}"));
        }
    });

    private static long Count(IKvStore store, string key) =>
        store.Run(tx => key.EndsWith("set", StringComparison.Ordinal) ? tx.SetCount(B(key)) : tx.HashCount(B(key)));

    private static bool Idle(params IKvStore[] stores) => stores.All(s => s.Stats.Peers.All(p => p.PendingKeys == 0));
}
