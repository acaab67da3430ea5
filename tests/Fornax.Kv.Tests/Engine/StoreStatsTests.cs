using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Replication;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Engine;

/// <summary>
/// The store's figures (INFO keyspace and memory, /metrics) are kept as keys change, not walked: after any mix of
/// writes, deletes, expiries, merges, collected tombstones and dropped replicas they equal a walk of every key.
/// </summary>
public sealed class StoreStatsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    private static IKvStore Site(string name, FakeTimeProvider time)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = name, TimeProvider = time, Random = new Random(name.Length) });
        KvReplication.For(store).SetKeyspaces(["cart:", "hot:"]);
        return store;
    }

    /// <summary>The figures as a walk of every key held finds them (what the store computed on each call before).</summary>
    private static (long Keys, long WithExpiry, long Tombstones, long Bytes) Walk(IKvStore store)
    {
        var engine = (KvEngine)store;
        lock (engine.Gate)
        {
            var states = engine.Table.All().ToList();
            return (
                states.Count(s => !s.IsEmpty),
                states.Count(s => !s.IsEmpty && s.ExpiresAt != 0),
                states.Count(s => s.IsEmpty),
                states.Sum(s => s.ApproximateBytes()));
        }
    }

    private static (long Keys, long WithExpiry, long Tombstones, long Bytes) Kept(IKvStore store)
    {
        var stats = store.Stats;
        return (stats.Keys, stats.KeysWithExpiry, stats.Tombstones, stats.Bytes);
    }

    /// <summary>Both read in one hold of the store's lock: acknowledgements keep arriving from a live link, and a tombstone
    /// collected between a walk and a reading made them differ (a local run, 2026-12-05).</summary>
    private static void KeptEqualsWalk(IKvStore store)
    {
        var (walked, kept) = store.Run(_ => (Walk(store), Kept(store)));
        Assert.Equal(walked, kept);
    }

    private static void Write(IKvStore store, Random random, int count, long nowMs)
    {
        for (var i = 0; i < count; i++)
        {
            var key = $"{random.Next(3) switch { 0 => "hot:", 1 => "cart:", _ => "local:" }}{random.Next(30)}";
            switch (random.Next(7))
            {
                case 0: store.Set(key, new string('v', random.Next(1, 50))); break;
                case 1: store.Do(tx => tx.Delete(B(key))); break;
                case 2: store.Do(tx => tx.SetString(B(key), B("x"), nowMs + random.Next(1, 5_000), false)); break;
                case 3: store.Do(tx => tx.SetAdd(B(key + ":s"), B("m" + random.Next(8)))); break;
                case 4: store.Do(tx => tx.SetRemove(B(key + ":s"), B("m" + random.Next(8)))); break;
                case 5: store.Do(tx => tx.HashSet(B(key + ":h"), B("f" + random.Next(8)), B(new string('y', random.Next(1, 20))))); break;
                default: store.Do(tx => tx.HashDelete(B(key + ":h"), B("f" + random.Next(8)))); break;
            }
        }
    }

    [Fact]
    public async Task Stats_KeptAsKeysChange_EqualAWalkOfTheKeys_ThroughMergesExpiriesTombstonesAndDrops()
    {
        var time = new FakeTimeProvider(Start);
        await using var a = Site("a", time);
        await using var b = Site("b", time);
        var random = new Random(11);
        KeptEqualsWalk(a); // the first call takes every key's figures; later ones only the changed keys'

        var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await using (link.ConfigureAwait(false))
        {
            for (var round = 0; round < 6; round++)
            {
                Write(a, random, 150, time.GetUtcNow().ToUnixTimeMilliseconds());
                Write(b, random, 150, time.GetUtcNow().ToUnixTimeMilliseconds());
                KeptEqualsWalk(a);

                // Merges arrive; deletes acknowledged by the peer lose their tombstones; expired keys are swept.
                a.Set("cart:probe", $"{round}");
                await Poll.UntilAsync(() => b.Get("cart:probe") == $"{round}", "b to receive a's writes");
                time.Advance(TimeSpan.FromSeconds(2));
                KeptEqualsWalk(a);
                KeptEqualsWalk(b);
            }

            await link.CutAsync();
            Write(a, random, 200, time.GetUtcNow().ToUnixTimeMilliseconds()); // tombstones kept for the cut-off peer
            Assert.True(Kept(a).Tombstones > 0);
            KeptEqualsWalk(a);
        }

        // A keyspace no longer placed here: its replica is dropped (neither deleted nor a tombstone).
        KvReplication.For(a).SetKeyspaces(["hot:"]);
        KeptEqualsWalk(a);
        Assert.True(Kept(a).Keys > 0);
    }

    [Fact]
    public async Task Stats_ReadInsideATransaction_AreCurrentAndDoNotWaitForTheSample()
    {
        // INFO queued in MULTI reads the figures while EXEC holds the store's lock.
        var time = new FakeTimeProvider(Start);
        await using var a = Site("a", time);
        Kept(a);
        Write(a, new Random(5), 300, time.GetUtcNow().ToUnixTimeMilliseconds());
        var walked = Walk(a);
        var inside = a.Run(_ => Kept(a));
        Assert.Equal(walked, inside);
    }

    [Fact]
    public async Task Stats_ReadInsideTransactions_WhileKeyspaceSamplesRun_NeverDeadlock()
    {
        // A sample takes its own lock, then the store's; a read inside a transaction holds the store's lock already.
        var time = new FakeTimeProvider(Start);
        await using var a = Site("a", time);
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                a.Set($"cart:{i % 500}", "v");
                KvKeyspaces.Figures(a, ["cart:"]);
            }
        });
        var reader = Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                a.Do(tx =>
                {
                    tx.SetString(B($"local:{i % 500}"), B("v"), null, false);
                    _ = a.Stats;
                });
            }
        });

        await reader.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await sampler.WaitAsync(TimeSpan.FromSeconds(60));
        KeptEqualsWalk(a);
    }
}
