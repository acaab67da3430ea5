using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// What replication keeps per change, read without walking history: the backlog counts per peer (equal to a walk of
/// the change log), the keyspace figures (equal to a walk of the keys), and a set's delta history reaching a peer
/// further behind than its entry bound.
/// </summary>
public sealed class ReplicationBookkeepingTests
{
    /// <summary>A store in memory replicating the given prefixes.</summary>
    internal static IKvStore Site(string name, params string[] prefixes)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = name, Random = new Random(name.Length) });
        KvReplication.For(store).SetKeyspaces(prefixes);
        return store;
    }

    private static void Write(IKvStore store, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var key = $"{(random.Next(3) == 0 ? "hot:" : "cart:")}{random.Next(40)}";
            switch (random.Next(4))
            {
                case 0: store.Set(key, "v" + i); break;
                case 1: store.Do(tx => tx.Delete(B(key))); break;
                case 2: store.Do(tx => tx.SetAdd(B(key + ":s"), B("m" + random.Next(10)))); break;
                default: store.Do(tx => tx.HashSet(B(key + ":h"), B("f" + random.Next(10)), B("x"))); break;
            }
        }
    }

    private static long Pending(IKvStore store, string peer) => store.Stats.Peers.Single(p => p.Site == peer).PendingKeys;

    [Fact]
    public async Task BacklogCounts_EqualAWalkOfTheLog_ThroughWritesCutsAndHeals()
    {
        await using var a = Site("a", "cart:", "hot:");
        await using var b = Site("b", "cart:");
        var random = new Random(7);
        var engine = (KvEngine)a;
        var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await using (link.ConfigureAwait(false))
        {
            Write(a, random, 200);
            a.Set("cart:probe", "1");
            await Poll.UntilAsync(() => b.Get("cart:probe") == "1" && Pending(a, "b") == 0, "b to acknowledge everything");
            Assert.Equal(0, engine.Replication.PendingByWalk("b"));

            await link.CutAsync();
            Write(a, random, 300);
            Write(b, random, 50);
            var counted = Pending(a, "b");
            Assert.Equal(engine.Replication.PendingByWalk("b"), counted);
            Assert.InRange(counted, 1, 40 * 3); // each distinct cart: key once, however often it changed; hot: is a's alone

            var figures = KvKeyspaces.Figures(a, ["cart:", "hot:"]);
            Assert.Equal(counted, figures[0].Pending);
            Assert.Equal(0, figures[1].Pending);

            link.Heal();
            await Poll.UntilAsync(() => Pending(a, "b") == 0 && Pending(b, "a") == 0, "both sides to acknowledge everything");
            Assert.Equal(0, engine.Replication.PendingByWalk("b"));
        }
    }

    [Fact]
    public async Task KeyspaceFigures_KeptAsChangesCome_EqualASumOverTheKeys()
    {
        await using var a = Site("a", "cart:");
        var random = new Random(3);
        for (var round = 0; round < 5; round++)
        {
            Write(a, random, 200);
            var figures = KvKeyspaces.Figures(a, ["cart:", "hot:", "nowhere:"]);
            var engine = (KvEngine)a;
            lock (engine.Gate)
            {
                foreach (var (prefix, at) in new[] { ("cart:", 0), ("hot:", 1), ("nowhere:", 2) })
                {
                    var states = engine.Table.All().Where(s => s.Key.AsSpan().StartsWith(B(prefix)) && s.Type != KvType.None).ToList();
                    Assert.Equal(states.Count, figures[at].Keys);
                    Assert.Equal(states.Sum(s => s.ApproximateBytes()), figures[at].Bytes);
                }
            }
        }
    }

    [Fact]
    public async Task KeyspaceFigures_SampledInChunksWhileWritesGoOn_EqualASumOverTheKeys()
    {
        await using var a = Site("a", "cart:");
        var engine = (KvEngine)a;
        KvKeyspaces.Figures(a, ["cart:", "hot:"]); // the first sample: from here on, only changed keys are looked at
        for (var i = 0; i < 20_000; i++)
        {
            a.Set($"cart:{i}", "v");
        }

        // Samples taken while another thread writes, deletes and grows keys (several chunks of changed keys each).
        using var stop = new CancellationTokenSource();
        long written = 0;
        var writer = Task.Run(() =>
        {
            var random = new Random(7);
            for (var n = 0; !stop.IsCancellationRequested; n++, Interlocked.Increment(ref written))
            {
                var key = $"{(n % 3 == 0 ? "hot:" : "cart:")}{random.Next(25_000)}";
                if (n % 5 == 0)
                {
                    a.Do(tx => tx.Delete(B(key)));
                }
                else
                {
                    a.Set(key, new string('x', random.Next(1, 40)));
                }
            }
        });
        for (var sample = 0; sample < 10; sample++)
        {
            // Each sample after 5,000 more writes: it has that many keys to look at, in chunks, while the writes go on.
            var until = Interlocked.Read(ref written) + 5_000;
            await Poll.UntilAsync(() => Task.FromResult(Interlocked.Read(ref written) >= until), "the writer to write 5,000 more", TimeSpan.FromSeconds(30));
            KvKeyspaces.Figures(a, ["cart:", "hot:"]);
        }

        await stop.CancelAsync();
        await writer;

        var figures = KvKeyspaces.Figures(a, ["cart:", "hot:"]);
        lock (engine.Gate)
        {
            foreach (var (prefix, at) in new[] { ("cart:", 0), ("hot:", 1) })
            {
                var states = engine.Table.All().Where(s => s.Key.AsSpan().StartsWith(B(prefix)) && s.Type != KvType.None).ToList();
                Assert.Equal(states.Count, figures[at].Keys);
                Assert.Equal(states.Sum(s => s.ApproximateBytes()), figures[at].Bytes);
            }
        }
    }

    [Fact]
    public async Task DeltaHistory_OfASetChangedMoreTimesThanItsBound_StillReachesAnOldPeer()
    {
        await using var store = (KvEngine)Site("a", "big:");
        store.Do(tx => tx.SetAdd(B("big:set"), B("first")));
        var since = store.Table.Find(B("big:set"))!.ChangeSeq;
        for (var i = 0; i < 3 * Fornax.Kv.Engine.Crdt.DeltaHistory.MaxEntries; i++)
        {
            store.Do(tx => tx.SetAdd(B("big:set"), B($"m{i}")));
        }

        var state = store.Table.Find(B("big:set"))!;
        Assert.True(state.Deltas!.Count <= Fornax.Kv.Engine.Crdt.DeltaHistory.MaxEntries + 1);
        Assert.True(state.Deltas.TrySince(since, out var baseClock, out var members, out _));
        Assert.Equal(3 * Fornax.Kv.Engine.Crdt.DeltaHistory.MaxEntries, members.Count);
        Assert.DoesNotContain(B("first"), members, ByteArrayComparer.Instance);
        Assert.True(state.Clock.Dominates(baseClock));
    }
}
