using System.Text;
using Fornax.Kv.Engine;
using Fornax.Testing;
using Xunit.Abstractions;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// Random histories on a tree of durable sites (<see cref="ChaosTree"/>): every type of write at every edge, links cut
/// and healed, sites closed and reopened, while replication runs. After every link heals, every site must read the same
/// for every key, and what was acknowledged must be there: each counter the sum of every increment, each set member
/// added and never removed present, each key written at one site only its last value there, each site's own keys at
/// that site only. A seed reproduces the history (not the threads' interleaving); set FORNAX_KV_CHAOS_SEEDS to a count
/// to run that many more seeds
/// (from 100, or from FORNAX_KV_CHAOS_FIRST).
/// </summary>
public sealed class ReplicationChaosTests(ITestOutputHelper output)
{
    private const int Steps = 1_500;

    [Theory]
    [InlineData(1, 1 << 20, null, false, KvDurability.EverySecond)] // the default log, links that never push back
    [InlineData(2, 64, 2, true, KvDurability.EverySecond)]          // a short log (catch-ups by digests), links of two frames
    [InlineData(3, 256, 1, false, KvDurability.Always)]
    [InlineData(4, 64, null, true, KvDurability.None)]
    public Task RandomHistory_Converges_AndKeepsEveryAcknowledgedWrite(int seed, int logEntries, int? linkCapacity, bool cloudReplica, KvDurability durability) =>
        RunAsync(seed, new ChaosSettings(logEntries, linkCapacity, cloudReplica, durability, Skews(new Random(seed))));

    [Fact]
    public async Task MoreSeeds_WhenAsked()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("FORNAX_KV_CHAOS_SEEDS"), out var n) ? n : 0;
        var first = int.TryParse(Environment.GetEnvironmentVariable("FORNAX_KV_CHAOS_FIRST"), out var f) ? f : 100;
        for (var seed = first; seed < first + count; seed++)
        {
            var random = new Random(seed);
            var settings = new ChaosSettings(
                random.Next(3) == 0 ? 1 << 20 : random.Next(16, 512),
                random.Next(3) == 0 ? null : random.Next(1, 4),
                random.Next(2) == 0,
                (KvDurability)random.Next(3),
                Skews(random));
            await RunAsync(seed, settings);
        }
    }

    /// <summary>Clocks off by up to two seconds either way at some sites (the hybrid logical clock orders writes all the same).</summary>
    private static Dictionary<string, int> Skews(Random random) =>
        ChaosTree.Names.Where(_ => random.Next(3) == 0).ToDictionary(name => name, _ => random.Next(-2000, 2001));

    private async Task RunAsync(int seed, ChaosSettings settings)
    {
        output.WriteLine($"seed {seed}: {settings}");
        var random = new Random(seed);
        var model = new ChaosModel();
        await using var tree = new ChaosTree(settings);
        var events = new StringBuilder();
        for (var step = 0; step < Steps; step++)
        {
            var roll = random.Next(100);
            if (roll < 4)
            {
                var child = Pick(random, tree.Links.ToArray());
                if (tree.IsCut(child))
                {
                    tree.Heal(child);
                    events.Append($"#{model.Sequence} heal {child}, ");
                }
                else
                {
                    await tree.CutAsync(child);
                    events.Append($"#{model.Sequence} cut {child}, ");
                }
            }
            else if (roll < 5)
            {
                var site = Pick(random, ChaosTree.Names);
                await tree.RestartAsync(site);
                events.Append($"#{model.Sequence} restart {site}, ");
            }
            else if (roll < 6 && random.Next(4) == 0)
            {
                events.Append($"#{model.Sequence} the cloud {(tree.ToggleCloudReplica() ? "a replica" : "a relay")}, ");
            }
            else if (roll < 12)
            {
                var site = Pick(random, ChaosTree.Pair);
                model.WritePair(tree[site], site, random);
            }
            else
            {
                var site = Pick(random, ChaosTree.Edges);
                model.Write(tree[site], site, random);
            }

            if (step % 50 == 0)
            {
                await Task.Yield();
            }
        }

        output.WriteLine(events.ToString());
        tree.HealAll();
        var keys = model.ReplicatedKeys.ToArray();
        await Poll.UntilAsync(
            () => ChaosTree.Names.Select(site => Snapshot(tree[site], keys)).Distinct().Count() == 1,
            "every site to read the same for every key",
            TimeSpan.FromSeconds(90),
            () => Differences(tree, keys, model));

        model.Check(tree, output);
    }

    private static string Pick(Random random, string[] from) => from[random.Next(from.Length)];

    /// <summary>What a client reads of the keys, and which "cart:" keys exist (a key no history wrote must not appear).</summary>
    private static string Snapshot(IKvStore store, string[] keys)
    {
        var text = new StringBuilder();
        foreach (var key in keys)
        {
            text.Append(key).Append('=').Append(store.View(key)).Append('\n');
        }

        text.Append("keys: ").AppendJoin(',', Scan(store, "cart:*")).Append(',').AppendJoin(',', Scan(store, "pair:*"));
        return text.ToString();
    }

    internal static string[] Scan(IKvStore store, string pattern) => store.Run(tx =>
    {
        var found = new List<byte[]>();
        var cursor = 0L;
        do
        {
            cursor = tx.Scan(cursor, 1000, B(pattern), null, found);
        }
        while (cursor != 0);

        return found.Select(Encoding.UTF8.GetString).Order(StringComparer.Ordinal).ToArray();
    });

    private static string Differences(ChaosTree tree, string[] keys, ChaosModel model)
    {
        var text = new StringBuilder();
        foreach (var key in keys)
        {
            var views = ChaosTree.Names.Select(site => (site, view: tree[site].View(key))).ToList();
            if (views.Select(v => v.view).Distinct().Count() > 1)
            {
                text.Append(key).Append(": ").AppendJoin(" | ", views.Select(v => $"{v.site}={Cut(v.view)} [{Internals(tree[v.site], key)}]"))
                    .Append(" (its last writes: ").Append(model.History(key)).Append("); ");
            }
        }

        var counts = ChaosTree.Names.Select(site => $"{site} {Scan(tree[site], "cart:*").Length}");
        text.Append("keys: ").AppendJoin(", ", counts);
        foreach (var site in ChaosTree.Names)
        {
            text.Append("; ").Append(site).Append("'s peers: ").AppendJoin(", ", tree[site].Stats.Peers);
        }

        return text.ToString();
    }

    /// <summary>The key's CRDT state at a site: its clock, registers and expiry entries (dots as replica:time).</summary>
    private static string Internals(IKvStore store, string key)
    {
        if (((KvEngine)store).Export(B(key)) is not { } state)
        {
            return "none";
        }

        static string D(Fornax.Kv.Engine.Crdt.Dot dot) => $"{dot.Replica % 1000}:{dot.Hlc % 100_000_000}";
        return $"clock {string.Join(",", state.Clock.Entries.ToArray().Select(D))}; registers " +
               string.Join(",", state.Str.Registers.Select(r => $"{D(r.Stamp)}={Encoding.UTF8.GetString(r.Value)}")) +
               "; expiry " + string.Join(",", state.Expiry.Select(e => $"{D(e.Stamp)}={e.UnixMs}"));
    }

    private static string Cut(string view) => view.Length <= 120 ? view : view[..120] + $"… ({view.Length} chars)";
}
