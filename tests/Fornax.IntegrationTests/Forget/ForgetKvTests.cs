using System.Text;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Links;
using Fornax.Kv.Engine;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Fornax.IntegrationTests.Attach.AttachHarness;
using static Fornax.IntegrationTests.Forget.ForgetHarness;

namespace Fornax.IntegrationTests.Forget;

/// <summary>
/// A forgotten site leaves the KV store with it: its figures leave the <c>Keyspace</c> status (what <c>fornax get
/// keyspaces -o wide</c> shows) at its parent and at the root, and its parent's store forgets it as a neighbour — the
/// tombstones kept until it saw their deletes go. Real sites in process, a 200 ms heartbeat.
/// </summary>
public sealed class ForgetKvTests
{
    private static IKvStore Store(TreeSite site) => site.Node.Services.GetRequiredService<IKvStore>();

    private static bool Has(TreeSite site, string key)
    {
        Store(site).Execute(key, static (tx, k) => tx.TryGetString(Encoding.UTF8.GetBytes(k), out _), out var found);
        return found;
    }

    private static string Neighbours(TreeSite site) => string.Join(", ", Store(site).Stats.Peers.Select(p => p.Site).Order());

    /// <summary>east-1 writes cart:1 and stops for good (with east-1a below it, when asked for, holding cart:1 too); east
    /// deletes it, and keeps the tombstone for east-1.</summary>
    private static async Task<TreeHost> TombstoneHeldForEastOneAsync(bool withASiteBelow = false)
    {
        string[] chain = withASiteBelow ? ["cloud", "east", "east-1", "east-1a"] : ["cloud", "east", "east-1"];
        var tree = await TreeHost.StartAsync(TreeHost.Chain(chain));
        var east = tree["east"];
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", string.Join(", ", chain.Skip(1))));
        await Poll.UntilAsync(() =>
        {
            Store(tree["east-1"]).Execute(0, static (tx, _) => { tx.SetString("cart:1"u8, "x"u8, null, false); return 0; }, out _);
            return Has(east, "cart:1") && (!withASiteBelow || Has(tree["east-1a"], "cart:1"));
        }, "cart:1 to reach east" + (withASiteBelow ? " and east-1a" : ""), TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => Neighbours(east) == "cloud, east-1", "east's store to have met both its neighbours", describe: () => Neighbours(east));
        if (withASiteBelow)
        {
            await tree.StopAsync("east-1a");
        }

        await tree.StopAsync("east-1");
        Store(east).Execute(0, static (tx, _) => tx.Delete("cart:1"u8), out _);
        Assert.Equal(1, Store(east).Stats.Tombstones);
        return tree;
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_AChildHoldingAKeyspace_ItsParentsStoreForgetsIt_AndCollectsTheTombstoneKeptForIt()
    {
        await using var tree = await TombstoneHeldForEastOneAsync();
        var east = tree["east"];
        var (status, body) = await ForgetAsync(east, "east-1", force: true); // its link may not have timed out yet
        Assert.True(status == 200, body.ToJsonString());
        Assert.Equal("cloud", Neighbours(east));
        // Collected once cloud, which does not hold the keyspace, has passed the delete too (it skips it, at once or soon).
        await Poll.UntilAsync(() => Store(east).Stats.Tombstones == 0, "east to collect the tombstone");

        await tree.RestartAsync("east");
        Assert.Equal("cloud", Neighbours(tree["east"]));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_CutShortAfterItWasRecorded_TheParentsStoreForgetsTheChildAsItOpens()
    {
        await using var tree = await TombstoneHeldForEastOneAsync();
        var east = tree["east"];

        // As if east crashed right after recording the forget: nothing else of it happened.
        await tree.RestartAsync("east", options =>
        {
            ForgottenChildren.Open(east.DataDirectory).Record("east-1", "cloud/east/east-1", DateTimeOffset.UtcNow);
            return options;
        });

        Assert.Equal("cloud", Neighbours(tree["east"]));
        await Poll.UntilAsync(() => Store(tree["east"]).Stats.Tombstones == 0, "east to collect the tombstone");
    }

    /// <summary>
    /// east-1, forgotten, joins again with a new token and the KV data it had then: it still holds cart:1, which east
    /// deleted meanwhile (the tombstone kept for east-1 went with the forget). east refuses to replicate with it, and
    /// east-1 shows why in <c>/api/site</c>: cart:1 does not come back. Started again with its kv folder removed, it is
    /// let in and gets what east holds. Then east-1a, below it, which holds cart:1 from east-1's old store, comes back:
    /// it is refused the same way (east-1's site kept the old store's epoch beside the folder), until its own kv folder
    /// is removed too.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_AChildJoinedAgainWithTheKvDataItHadThen_IsRefusedReplication_AndSoIsTheSiteBelowIt_UntilTheirKvFoldersAreRemoved()
    {
        await using var tree = await TombstoneHeldForEastOneAsync(withASiteBelow: true);
        var east = tree["east"];
        var (status, body) = await ForgetAsync(east, "east-1", force: true);
        Assert.True(status == 200, body.ToJsonString());
        await Poll.UntilAsync(() => Store(east).Stats.Tombstones == 0, "east to collect the tombstone");
        Store(east).Execute(0, static (tx, _) => { tx.SetString("cart:2"u8, "after"u8, null, false); return 0; }, out _);

        // Back with its old certificate: refused at the link; then joined again with a new token.
        await tree.StartAgainAsync("east-1");
        var eastOne = tree["east-1"];
        await WaitAsync(async () => (await SiteInfoAsync(eastOne))["uplink"]?.GetValue<string>() == "refused", "east-1 to see it was forgotten");
        var token = await JoinTokenAsync(east);
        await tree.RestartAsync("east-1", options => options with { JoinToken = token });
        await WaitAsync(async () => (await SiteInfoAsync(eastOne))["kv"]?["uplinkRefusal"] is not null, "east-1 to be refused by east's store",
            async () => (await SiteInfoAsync(eastOne)).ToJsonString());
        var refusal = (await SiteInfoAsync(eastOne))["kv"]!["uplinkRefusal"]!.GetValue<string>();
        Assert.StartsWith("\"east-1\" was forgotten at east and links again with the KV data it had then", refusal);
        Assert.Equal("connected", (await SiteInfoAsync(eastOne))["uplink"]!.GetValue<string>()); // the link itself is let in
        Assert.True(Has(eastOne, "cart:1"));
        Assert.False(Has(east, "cart:1"));
        Assert.False(Has(eastOne, "cart:2"));
        Assert.Equal("cloud", Neighbours(east));

        await tree.StopAsync("east-1");
        Directory.Delete(Path.Combine(eastOne.DataDirectory, "kv"), recursive: true);
        await tree.StartAgainAsync("east-1");
        await Poll.UntilAsync(() => Has(tree["east-1"], "cart:2"), "east-1, started afresh, to get cart:2 from east", TimeSpan.FromSeconds(30),
            describe: () => $"east's neighbours: {Neighbours(east)}; east-1's: {Neighbours(tree["east-1"])}; east-1: {SiteInfoAsync(tree["east-1"]).GetAwaiter().GetResult().ToJsonString()}");
        Assert.Null((await SiteInfoAsync(tree["east-1"]))["kv"]!["uplinkRefusal"]);
        Assert.False(Has(tree["east-1"], "cart:1"));
        Assert.False(Has(east, "cart:1"));
        Assert.Equal("cloud, east-1", Neighbours(east));

        // east-1a comes back below the store started afresh, with cart:1 from the forgotten one.
        await tree.StartAgainAsync("east-1a");
        var eastOneA = tree["east-1a"];
        await WaitAsync(async () => (await SiteInfoAsync(eastOneA))["kv"]?["uplinkRefusal"] is not null, "east-1a to be refused by east-1's new store",
            async () => (await SiteInfoAsync(eastOneA)).ToJsonString());
        Assert.StartsWith("\"east-1a\" last replicated with the KV data \"east-1\" had when the tree forgot it",
            (await SiteInfoAsync(eastOneA))["kv"]!["uplinkRefusal"]!.GetValue<string>());
        Assert.True(Has(eastOneA, "cart:1"));
        Assert.False(Has(eastOneA, "cart:2"));
        // What `fornax get keyspaces -o wide` shows for it at east, two levels up.
        await WaitAsync(async () => (await ReasonAtAsync(east, "cloud/east/east-1/east-1a"))?.EndsWith("; replication with the parent refused (GET /api/site: kv.uplinkRefusal)", StringComparison.Ordinal) == true,
            "east's Keyspace status to show east-1a refused", async () => await ReasonAtAsync(east, "cloud/east/east-1/east-1a") ?? "(no row)");
        Assert.False(Has(tree["east-1"], "cart:1"));
        Assert.False(Has(east, "cart:1"));
        Assert.Equal("east", Neighbours(tree["east-1"]));

        await tree.StopAsync("east-1a");
        Directory.Delete(Path.Combine(eastOneA.DataDirectory, "kv"), recursive: true);
        Assert.True(File.Exists(Path.Combine(eastOneA.DataDirectory, "kv-forgotten-epochs"))); // for the sites below it, in turn
        await tree.StartAgainAsync("east-1a");
        await Poll.UntilAsync(() => Has(tree["east-1a"], "cart:2"), "east-1a, started afresh, to get cart:2", TimeSpan.FromSeconds(30));
        Assert.False(Has(tree["east-1a"], "cart:1"));
        Assert.False(Has(tree["east-1"], "cart:1"));
        Assert.False(Has(east, "cart:1"));
    }

    /// <summary>The reason the keyspace's status at <paramref name="site"/> gives for <paramref name="path"/> holding it.</summary>
    private static async Task<string?> ReasonAtAsync(TreeSite site, string path) =>
        (await TreeHost.GetAsync(site, "keyspaces", "carts"))?["status"]?["sites"]?[path]?["reason"]?.GetValue<string>();

    /// <summary>The site paths the keyspace's status lists at <paramref name="site"/>.</summary>
    private static async Task<List<string>> StatusSitesAsync(TreeSite site) =>
        (await TreeHost.GetAsync(site, "keyspaces", "carts"))?["status"]?["sites"] is JsonObject sites ? [.. sites.Select(s => s.Key).Order()] : [];

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_AChildHoldingAKeyspace_ItsFiguresLeaveTheParentAndTheRoot()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "east", "east-1"));
        var (cloud, east) = (tree["cloud"], tree["east"]);
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(cloud, "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", "east, east-1"));
        var store = tree["east-1"].Node.Services.GetRequiredService<IKvStore>();
        store.Execute(0, static (tx, _) => { tx.SetString("cart:1"u8, "x"u8, null, false); return 0; }, out _);
        await WaitAsync(async () => (await StatusSitesAsync(cloud)).Contains("cloud/east/east-1") && (await StatusSitesAsync(east)).Contains("cloud/east/east-1"),
            "cloud and east to show east-1's figures", async () => string.Join(", ", await StatusSitesAsync(cloud)));

        await tree.StopAsync("east-1");
        var (status, body) = await ForgetAsync(east, "east-1", force: true);
        Assert.True(status == 200, body.ToJsonString());

        await WaitAsync(async () => !(await StatusSitesAsync(cloud)).Contains("cloud/east/east-1") && !(await StatusSitesAsync(east)).Contains("cloud/east/east-1"),
            "east-1's figures to leave east and cloud", async () => $"cloud: {string.Join(", ", await StatusSitesAsync(cloud))}; east: {string.Join(", ", await StatusSitesAsync(east))}");
        Assert.Contains("cloud/east", await StatusSitesAsync(cloud)); // the rest stays
    }
}
