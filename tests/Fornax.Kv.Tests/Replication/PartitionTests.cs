using Fornax.Testing;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// Replication along a tree: cloud (a relay: no replica of its own) with children a and b, and c under a. The
/// keyspace "cart:" is placed at a, b and c; a and b replicate through the cloud, c through a.
/// </summary>
public sealed class PartitionTests : IAsyncLifetime
{
    private readonly Dictionary<string, IKvStore> _sites = [];
    private readonly Dictionary<string, TestLink> _links = [];

    public Task InitializeAsync()
    {
        foreach (var name in new[] { "cloud", "a", "b", "c" })
        {
            _sites[name] = KvStore.Open(new KvStoreOptions { SiteId = name, Random = new Random(name.Length) });
        }

        foreach (var name in new[] { "a", "b", "c" })
        {
            KvReplication.For(_sites[name]).SetKeyspaces(["cart:"]);
        }

        _links["a"] = Link("cloud", "a");
        _links["b"] = Link("cloud", "b");
        _links["c"] = Link("a", "c");
        return Task.CompletedTask;
    }

    private TestLink Link(string parent, string child) => new(KvReplication.For(_sites[parent]), KvReplication.For(_sites[child]));

    public async Task DisposeAsync()
    {
        foreach (var link in _links.Values)
        {
            await link.DisposeAsync();
        }

        foreach (var store in _sites.Values)
        {
            await store.DisposeAsync();
        }
    }

    private IKvStore S(string name) => _sites[name];

    private Task ConvergedAsync(params string[] keys) => Poll.UntilAsync(
        () => keys.All(k => new[] { "a", "b", "c", "cloud" }.Select(s => S(s).View(k)).Distinct().Count() == 1),
        "every replica to read the same",
        describe: () => string.Join("; ", keys.Select(k => $"{k}: " + string.Join(" | ", new[] { "a", "b", "c", "cloud" }.Select(s => $"{s}={S(s).View(k)}")))));

    [Fact]
    public async Task Write_AtOneEdge_ReachesEveryReplica_ThroughTheRelay()
    {
        S("c").Set("cart:1", "apple");
        await ConvergedAsync("cart:1");
        Assert.Equal("apple", S("b").Get("cart:1"));
    }

    [Fact]
    public async Task KeysOutsideEveryKeyspace_StayAtTheirSite()
    {
        S("a").Set("local:x", "mine");
        S("a").Set("cart:marker", "m");
        await ConvergedAsync("cart:marker");
        Assert.Null(S("b").Get("local:x"));
        Assert.Null(S("c").Get("local:x"));
    }

    [Fact]
    public async Task Cut_WritesOnBothSides_Heal_EveryReplicaIdentical()
    {
        // Before the cut: a set with m0, a hash, counters at zero.
        S("b").Do(tx => tx.SetAdd(B("cart:s"), B("m0")));
        S("b").Do(tx => tx.HashSet(B("cart:h"), B("name"), B("before")));
        S("b").Set("cart:doomed", "x");
        await ConvergedAsync("cart:s", "cart:h", "cart:doomed");

        await _links["a"].CutAsync(); // {a, c} | {cloud, b}

        var now = S("a").Run(tx => tx.NowUnixMs);
        long increments = 0;
        for (var i = 0; i < 3; i++)
        {
            increments += S("a").Run(tx => tx.IncrementBy(B("cart:n"), 1)) > 0 ? 1 : 0;
        }

        S("b").Run(tx => tx.IncrementBy(B("cart:n"), 10));
        S("c").Run(tx => tx.IncrementBy(B("cart:n"), 100));
        S("c").Run(tx => tx.IncrementByFloat(B("cart:f"), 0.5));
        S("b").Run(tx => tx.IncrementByFloat(B("cart:f"), 0.25));
        S("a").Set("cart:same", "from-a");
        S("b").Set("cart:same", "from-b");
        S("b").Do(tx => tx.SetRemove(B("cart:s"), B("m0"))); // b removes the m0 it saw...
        S("c").Do(tx => tx.SetAdd(B("cart:s"), B("m0")));    // ...while c adds m0 again: add wins
        S("a").Do(tx => tx.SetAdd(B("cart:s"), B("m1")));
        S("b").Do(tx => tx.HashSet(B("cart:h"), B("name"), B("after")));
        S("c").Run(tx => tx.HashIncrementBy(B("cart:h"), B("visits"), 2));
        S("a").Run(tx => tx.HashIncrementBy(B("cart:h"), B("visits"), 3));
        S("b").Do(tx => tx.SetExpiry(B("cart:h"), now + 3_600_000));
        S("c").Do(tx => tx.Delete(B("cart:doomed")));   // c deletes what it saw...
        S("b").Do(tx => tx.SetAdd(B("cart:doomed2"), B("x")));
        S("a").Set("cart:only-a", "1");

        // Each side sees its own writes during the cut.
        await Poll.UntilAsync(() => S("c").Get("cart:n") == "103", "c to read 103", describe: () => S("c").Get("cart:n") ?? "nothing");
        Assert.Equal("10", S("b").Get("cart:n"));

        _links["a"].Heal();
        var keys = new[] { "cart:n", "cart:f", "cart:same", "cart:s", "cart:h", "cart:doomed", "cart:doomed2", "cart:only-a" };
        await ConvergedAsync(keys);

        Assert.Equal("113", S("b").Get("cart:n")); // 3 + 10 + 100: every acknowledged increment
        Assert.Equal(3, increments);
        Assert.Equal("0.75", S("a").Get("cart:f"));
        Assert.Contains(S("a").Get("cart:same"), new[] { "from-a", "from-b" });
        Assert.Equal(["m0", "m1"], S("a").Members("cart:s"));
        Assert.Equal(["name=after", "visits=5"], S("c").Entries("cart:h"));
        Assert.Equal(now + 3_600_000, S("c").Run(tx => tx.GetExpiry(B("cart:h"))));
        Assert.Null(S("b").Get("cart:doomed"));
        Assert.Equal("1", S("b").Get("cart:only-a"));
        Assert.Equal(7, S("b").Count); // every key above but the deleted one
    }

    [Fact]
    public async Task NewReplica_CatchesUpFromAFullCopy()
    {
        for (var i = 0; i < 3000; i++)
        {
            S("a").Set($"cart:{i}", $"v{i}");
        }

        await ConvergedAsync("cart:2999");
        var late = KvStore.Open(new KvStoreOptions { SiteId = "late" });
        await using var _late = late;
        KvReplication.For(late).SetKeyspaces(["cart:"]);
        await using var link = new TestLink(KvReplication.For(S("b")), KvReplication.For(late));
        await Poll.UntilAsync(() => late.Count == 3000, "the late replica to hold 3000 keys", describe: () => $"{late.Count} keys");
        Assert.Equal("v1234", late.Get("cart:1234"));
    }

    [Fact]
    public async Task ARelayThatStopsRelayingAPrefix_KeepsItsOwnKeys()
    {
        // The cloud holds no replica: it carries "cart:" because a and b (with c) need it on both of its sides.
        S("cloud").Set("local:mine", "kept");
        S("cloud").Do(tx => tx.SetAdd(B("other:set"), B("m")));
        S("a").Set("cart:relayed", "x");
        await ConvergedAsync("cart:relayed");

        // b no longer needs "cart:": the cloud gives it up and drops its copies of those keys, not its own.
        KvReplication.For(S("b")).SetKeyspaces([]);
        await Poll.UntilAsync(() => S("cloud").Get("cart:relayed") is null, "the cloud to drop its relayed copy",
            describe: () => $"the cloud reads cart:relayed = {S("cloud").Get("cart:relayed")}");
        Assert.Equal("kept", S("cloud").Get("local:mine"));
        Assert.Equal(["m"], S("cloud").Members("other:set"));
        Assert.Equal("x", S("a").Get("cart:relayed"));
    }

    [Fact]
    public async Task PlacementDropsAReplica_ItsKeysLeaveThatSiteOnly()
    {
        S("c").Set("cart:kept", "x");
        await ConvergedAsync("cart:kept");
        KvReplication.For(S("c")).SetKeyspaces([]);
        Assert.Null(S("c").Get("cart:kept"));
        S("a").Set("cart:after", "y");
        await Poll.UntilAsync(() => S("b").Get("cart:after") == "y", "b to get cart:after");
        Assert.Equal("x", S("b").Get("cart:kept"));
        Assert.Null(S("c").Get("cart:after"));
    }
}
