using System.Text;
using CsCheck;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Kv.Tests.Crdt;

/// <summary>A command a history may run at a site, on the key under test.</summary>
public sealed record KeyOp(string Name, Action<IKvTransaction> Apply)
{
    public override string ToString() => Name;
}

/// <summary>One step of a history: a command at a site, or one site's state of the key delivered to another.</summary>
public sealed record Step(int Site, KeyOp? Op, int From, int AdvanceMs)
{
    public override string ToString() => Op is null ? $"deliver {From}->{Site} (+{AdvanceMs}ms)" : $"{Op} @{Site} (+{AdvanceMs}ms)";
}

/// <summary>
/// The CRDT laws, checked for one value type on states made by random histories at three sites (real stores, real
/// commands, random partial deliveries between them): the merge is commutative, associative and idempotent, and
/// every delivery order, with duplicates, leaves every replica reading the same.
/// </summary>
public abstract partial class MergeLawSuite
{
    protected const int Sites = 3;
    protected static readonly byte[] Key = "k"u8.ToArray();

    /// <summary>The commands of the type under test (and whatever else may hit the key: DEL, EXPIRE, …).</summary>
    protected abstract Gen<KeyOp> Ops { get; }

    protected Gen<Step[]> Histories => Gen.Frequency(
            (4, Gen.Select(Gen.Int[0, Sites - 1], Ops, Gen.Int[0, 3], (site, op, ms) => new Step(site, op, 0, ms))),
            (1, Gen.Select(Gen.Int[0, Sites - 1], Gen.Int[0, Sites - 1], Gen.Int[0, 3], (to, from, ms) => new Step(to, null, from, ms))))
        .Array[1, 40];

    [Fact]
    public void Merge_IsCommutativeAssociativeAndIdempotent()
    {
        Histories.Sample(history =>
        {
            var states = Run(history, out var stores);
            DisposeAll(stores);
            var (a, b, c) = (states[0], states[1], states[2]);
            Assert.Equal(Bytes(Join(a, b)), Bytes(Join(b, a)));
            Assert.Equal(Bytes(Join(Join(a, b), c)), Bytes(Join(a, Join(b, c))));
            Assert.Equal(Bytes(a), Bytes(Join(a, a)));
            Assert.Equal(Bytes(Join(a, b)), Bytes(Join(Join(a, b), b)));
        }, iter: 300);
    }

    /// <summary>
    /// A state whose clock has seen everything another's has is their join: replication relies on it (a key merged from
    /// a peer whose state dominated this site's is not sent back there, and a change this site still owed that peer is
    /// taken as delivered). It holds only if every change, removals included, leaves a dot of its own in the clock: a
    /// PERSIST that left none was lost for good at the other sites when a dominating state arrived before it left.
    /// </summary>
    [Fact]
    public void AStateWhoseClockDominates_IsTheJoin() => CheckDominance();

    protected void CheckDominance(string? seed = null)
    {
        Histories.Sample(history =>
        {
            var states = Run(history, out var stores);
            DisposeAll(stores);
            foreach (var mine in states)
            {
                foreach (var theirs in states)
                {
                    if (theirs.Clock.Dominates(mine.Clock))
                    {
                        Assert.Equal(Bytes(theirs), Bytes(Join(mine, theirs)));
                    }
                }
            }
        }, seed: seed, iter: seed is null ? 300 : 1);
    }

    [Fact]
    public void Replicas_ConvergeInAnyDeliveryOrder_WithDuplicates() => CheckConvergence();

    /// <summary>The convergence law over random histories; with <paramref name="seed"/>, the one sample it names (a regression).</summary>
    protected void CheckConvergence(string? seed = null)
    {
        var gen = Gen.Select(Histories, Gen.Int[0, Sites - 1].Array[Sites * 2, Sites * 5], Gen.Int[0, Sites - 1].Array[Sites * 2, Sites * 5]);
        gen.Sample((history, fromOrder, toOrder) =>
        {
            var states = Run(history, out var stores);
            try
            {
                // Random deliveries (repeats included), then every state to every site so all have seen all.
                for (var i = 0; i < Math.Min(fromOrder.Length, toOrder.Length); i++)
                {
                    Deliver(stores, fromOrder[i], toOrder[i]);
                }

                foreach (var to in Enumerable.Range(0, Sites))
                {
                    foreach (var state in states)
                    {
                        ((KvEngine)stores[to]).Merge(Clone(state));
                    }
                }

                var views = stores.Select(View).ToArray();
                Assert.All(views, v => Assert.Equal(views[0], v));
                var joined = Join(Join(states[0], states[1]), states[2]);
                Assert.All(stores, s => Assert.Equal(Bytes(joined), Bytes(Export(s))));
                CheckConverged(stores, history);
            }
            finally
            {
                DisposeAll(stores);
            }
        }, seed: seed, iter: seed is null ? 200 : 1);
    }

    [Fact]
    public void BatchEncoding_RoundTripsEveryState_InOneBatch()
    {
        Histories.Sample(history =>
        {
            var states = Run(history, out var stores);
            DisposeAll(stores);
            var writer = new BatchWriter();
            writer.Reset();
            foreach (var state in states)
            {
                writer.Append(state);
            }

            var (number, decoded) = Frames.DecodeBatch(writer.ToFrame(7));
            Assert.Equal(7, number);
            Assert.Equal(states.Select(Bytes), decoded.Select(Bytes));
        }, iter: 200);
    }

    /// <summary>A type's own promise about the converged value (e.g. a counter is the sum of its increments).</summary>
    protected virtual void CheckConverged(IKvStore[] stores, Step[] history)
    {
    }

    private static KeyState[] Run(Step[] history, out IKvStore[] stores)
    {
        var time = new FakeTimeProvider(StoreFixture.Start);
        stores = Enumerable.Range(0, Sites)
            .Select(i => KvStore.Open(new KvStoreOptions { SiteId = $"site-{i}", TimeProvider = time, Random = new Random(i) }))
            .ToArray();

        // The key is replicated (a keyspace holds it), as every key merged from other sites is: a state left with no
        // member, field or value is kept as a tombstone, whose clock says what was removed. A store that dropped it (as a
        // site does for a key no keyspace holds, which nothing is ever merged into) would take a removed member back from
        // a site that had not seen the removal (CsCheck seeds 4ZPlKDWEfvC2 and d1hv4zo8RuD1).
        foreach (var store in stores)
        {
            ((KvEngine)store).Replication.SetKeyspaces(["k"]);
        }
        foreach (var step in history)
        {
            RunStep(stores, time, step);
        }

        return stores.Select(Export).ToArray();
    }

    private static void RunStep(IKvStore[] stores, FakeTimeProvider time, Step step)
    {
        time.Advance(TimeSpan.FromMilliseconds(step.AdvanceMs));
        if (step.Op is { } op)
        {
            try
            {
                stores[step.Site].Execute(op, static (tx, op) =>
                {
                    op.Apply(tx);
                    return 0;
                }, out _);
            }
            catch (KvException)
            {
                // a refused command (WRONGTYPE, not an integer) is part of the history too: it changed nothing
            }
        }
        else
        {
            Deliver(stores, step.From, step.Site);
        }
    }

    private static void Deliver(IKvStore[] stores, int from, int to)
    {
        if (((KvEngine)stores[from]).Export(Key) is { } state)
        {
            ((KvEngine)stores[to]).Merge(state);
        }
    }

    private static KeyState Export(IKvStore store) => ((KvEngine)store).Export(Key) ?? new KeyState(Key);

    /// <summary>A copy as a peer receives it: through a batch frame (the compact encoding replication uses).</summary>
    private static KeyState Clone(KeyState state)
    {
        var writer = new BatchWriter();
        writer.Reset();
        writer.Append(state);
        return Frames.DecodeBatch(writer.ToFrame(1)).States.Single();
    }

    private static KeyState Join(KeyState a, KeyState b)
    {
        var joined = Clone(a);
        KeyMerge.MergeInto(joined, Clone(b));
        return joined;
    }

    private static string Bytes(KeyState state) => Convert.ToHexString(KeyCodec.ToArray(state));

    /// <summary>What a client reads at the site: type, value, members or fields, expiry.</summary>
    protected static string View(IKvStore store) => store.Run(tx =>
    {
        var text = new StringBuilder().Append(tx.TypeOf(Key)).Append(' ').Append(tx.GetExpiry(Key)).Append(' ');
        switch (tx.TypeOf(Key))
        {
            case KvType.String:
                tx.TryGetString(Key, out var value);
                text.Append(Encoding.UTF8.GetString(value)).Append(tx.IsCounter(Key) ? " (counter)" : "");
                break;
            case KvType.Set:
                text.AppendJoin(',', store.Members("k"));
                break;
            case KvType.Hash:
                text.AppendJoin(',', store.Entries("k"));
                break;
        }

        return text.ToString();
    });

    private static void DisposeAll(IKvStore[] stores)
    {
        foreach (var store in stores)
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    protected static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    protected static long Now(IKvTransaction tx) => tx.NowUnixMs;
}
