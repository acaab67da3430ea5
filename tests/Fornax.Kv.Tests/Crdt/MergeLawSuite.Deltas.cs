using CsCheck;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Kv.Tests.Crdt;

/// <summary>
/// The laws for deltas (a set's or hash's change sent as the elements it touched): taken at random moments of random
/// histories, since random earlier points, delivered in any order, repeated or lost. A delta whose base the receiver
/// holds leaves it exactly as the sender's whole state would have; one whose base it lacks changes nothing (the
/// receiver asks for a catch-up); after the catch-up (whole states exchanged) every replica is the join of all.
/// </summary>
public abstract partial class MergeLawSuite
{
    [Fact]
    public void Deltas_InAnyOrderWithDuplicatesAndLosses_AgreeWithWholeStates_AndConvergeAfterCatchUp()
    {
        var gen = Gen.Select(Histories, Gen.Int, Gen.Int[0, 60]);
        gen.Sample((history, seed, deliveries) =>
        {
            var random = new Random(seed);
            var time = new FakeTimeProvider(StoreFixture.Start);
            var stores = Enumerable.Range(0, Sites)
                .Select(i => KvStore.Open(new KvStoreOptions { SiteId = $"site-{i}", TimeProvider = time, Random = new Random(i) }))
                .ToArray();
            try
            {
                foreach (var store in stores)
                {
                    ((KvEngine)store).Replication.SetKeyspaces(["k"]);
                }

                var checkpoints = stores.Select(_ => new List<long> { 0 }).ToArray();
                var deltas = new List<(KeyState Delta, KeyState Whole)>();
                foreach (var step in history)
                {
                    RunStep(stores, time, step);
                    for (var site = 0; site < Sites; site++)
                    {
                        var engine = (KvEngine)stores[site];
                        var since = checkpoints[site][random.Next(checkpoints[site].Count)];
                        if (ExportDelta(engine, since) is { } delta)
                        {
                            deltas.Add((delta, Export(stores[site])));
                        }

                        checkpoints[site].Add(engine.CurrentVersion);
                    }
                }

                for (var i = 0; i < deliveries && deltas.Count > 0; i++)
                {
                    var (delta, whole) = deltas[random.Next(deltas.Count)];
                    var to = (KvEngine)stores[random.Next(Sites)];
                    var before = Export(stores.Single(s => ReferenceEquals(s, to)));
                    to.MergeAll([Copy(delta)], null, _ => true, out var lacking, out _);
                    var after = Export(stores.Single(s => ReferenceEquals(s, to)));
                    var expected = lacking == 0 ? Join(before, whole) : before;
                    Assert.True(Bytes(expected) == Bytes(after), $"before {Describe(before)}\nwhole {Describe(whole)}\ndelta {Describe(delta)}\nafter {Describe(after)}\nexpected {Describe(expected)}");
                }

                // The catch-up: every site's whole state to every site.
                var finals = stores.Select(Export).ToArray();
                foreach (var store in stores)
                {
                    foreach (var state in finals)
                    {
                        ((KvEngine)store).Merge(Clone(state));
                    }
                }

                var joined = Join(Join(finals[0], finals[1]), finals[2]);
                Assert.All(stores, s => Assert.Equal(Bytes(joined), Bytes(Export(s))));
            }
            finally
            {
                DisposeAll(stores);
            }
        }, iter: 200);
    }

    private static string Describe(KeyState s) =>
        $"clock [{string.Join(",", s.Clock.Entries.ToArray().Select(d => $"{d.Replica % 1000}:{d.Hlc & 0xFFFFF}"))}] base [{string.Join(",", (s.DeltaBase?.Entries.ToArray() ?? []).Select(d => $"{d.Replica % 1000}:{d.Hlc & 0xFFFFF}"))}] members {string.Join(" ", (s.Members ?? []).Select(m => $"{System.Text.Encoding.UTF8.GetString(m.Key)}={string.Join("/", m.Value.Select(d => $"{d.Stamp.Replica % 1000}:{d.Stamp.Hlc & 0xFFFFF}"))}"))} exp {s.Expiry.Length}";

    /// <summary>The delta a peer that has the key as of <paramref name="since"/> would get, through a batch frame; null when the key has none.</summary>
    private static KeyState? ExportDelta(KvEngine engine, long since)
    {
        lock (engine.Gate)
        {
            if (engine.Table.Find(Key) is not { Deltas: { } history } state ||
                !history.TrySince(since, out var baseClock, out var members, out var fields))
            {
                return null;
            }

            var writer = new BatchWriter();
            writer.Reset();
            writer.AppendDelta(state, baseClock, members, fields);
            return Frames.DecodeBatch(writer.ToFrame(1)).States.Single();
        }
    }

    /// <summary>A received delta is merged once; a duplicate delivery decodes it again, as a repeated frame would be.</summary>
    private static KeyState Copy(KeyState delta)
    {
        var writer = new BatchWriter();
        writer.Reset();
        var members = new HashSet<byte[]>(delta.Members?.Keys ?? Enumerable.Empty<byte[]>(), ByteArrayComparer.Instance);
        var fields = new HashSet<byte[]>(delta.Fields?.Keys ?? Enumerable.Empty<byte[]>(), ByteArrayComparer.Instance);
        writer.AppendDelta(delta, delta.DeltaBase!, members, fields);
        return Frames.DecodeBatch(writer.ToFrame(1)).States.Single();
    }
}
