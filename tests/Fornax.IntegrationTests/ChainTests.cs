using System.Net.Http.Json;
using Fornax.Testing;
using Fornax.Core.Objects;
using Fornax.Node.Trees;

namespace Fornax.IntegrationTests;

/// <summary>The issue's judging criteria on the chain A→B→C→D, in process, with a 200 ms heartbeat.</summary>
public sealed class ChainTests
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(200);

    internal const string ShopMission = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: shops}
        spec:
          placement: {selector: {matchLabels: {role: shop}}}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: shop-config}
              data: {version: "1"}
        """;

    internal static Topology ChainWithShops()
    {
        var topology = TreeHost.Chain("a", "b", "c", "d");
        foreach (var site in topology.Spec.Sites!.Where(s => s.Name is "c" or "d"))
        {
            site.Labels = new() { ["role"] = "shop" };
        }

        return topology;
    }

    private static Task WaitStatesAsync(TreeSite site, string mission, Dictionary<string, string> expected, TimeSpan deadline, string what) =>
        Poll.UntilAsync(async () =>
        {
            var states = await TreeHost.StatesAsync(site, mission);
            return expected.All(e => states.GetValueOrDefault(e.Key) == e.Value) && states.Count == expected.Count;
        }, what, deadline);

    private static async Task<string?> ConfigVersionAsync(TreeSite site) =>
        (await TreeHost.GetAsync(site, "configmaps", "shop-config"))?["data"]?["version"]?.GetValue<string>();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task MissionAppliedAtRoot_ReachesSelectedSites_AndRootShowsEveryPath()
    {
        await using var tree = await TreeHost.StartAsync(ChainWithShops());

        await TreeHost.ApplyAsync(tree["a"], "missions", "shops", ShopMission);

        // Two heartbeats is the criterion; in process, reports are change-based and arrive well before that,
        // so the deadline here only absorbs CI scheduling noise.
        await WaitStatesAsync(tree["a"], "shops", new()
        {
            ["a"] = MissionStates.NotMatch,
            ["a/b"] = MissionStates.NotMatch,
            ["a/b/c"] = MissionStates.Active,
            ["a/b/c/d"] = MissionStates.Active,
        }, TimeSpan.FromSeconds(10), "A to show every path");
        Assert.Equal("1", await ConfigVersionAsync(tree["c"]));
        Assert.Equal("1", await ConfigVersionAsync(tree["d"]));
        Assert.Null(await ConfigVersionAsync(tree["b"]));
        var inherited = await TreeHost.GetAsync(tree["c"], "missions", "shops");
        Assert.Equal("a/b", inherited!["metadata"]!["annotations"]!["fornax.io/origin"]!.GetValue<string>());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task CutLink_ParentShowsClusterOffline_ChildKeepsMission_UpdateDuringCutArrivesAfterHeal()
    {
        await using var tree = await TreeHost.StartAsync(ChainWithShops());
        await TreeHost.ApplyAsync(tree["a"], "missions", "shops", ShopMission);
        await WaitStatesAsync(tree["a"], "shops", new()
        {
            ["a"] = MissionStates.NotMatch,
            ["a/b"] = MissionStates.NotMatch,
            ["a/b/c"] = MissionStates.Active,
            ["a/b/c/d"] = MissionStates.Active,
        }, TimeSpan.FromSeconds(10), "A to show every path");

        // D's Site reaches A a heartbeat per level after D's first: wait for it, so that B knows D when C is cut off.
        await Poll.UntilAsync(async () => await TreeHost.GetAsync(tree["a"], "sites", "d") is not null, "A to have D's Site");
        tree.Cut("b", "c");

        // 3 missed heartbeats + one pruner pass: within 4 heartbeats (plus scheduling slack).
        await WaitStatesAsync(tree["a"], "shops", new()
        {
            ["a"] = MissionStates.NotMatch,
            ["a/b"] = MissionStates.NotMatch,
            ["a/b/c"] = MissionStates.ClusterOffline,
        }, Heartbeat * 4 + TimeSpan.FromSeconds(3), "A to show C offline and D's key removed");
        Assert.Equal(MissionStates.Active, (await TreeHost.StatesAsync(tree["c"], "shops"))["a/b/c"]);
        Assert.Equal("1", await ConfigVersionAsync(tree["c"]));
        var siteC = await TreeHost.GetAsync(tree["b"], "sites", "c");
        Assert.False(siteC!["status"]!["healthy"]!.GetValue<bool>());
        // A shows C and D as B does, from B's next heartbeat: Offline (not Unknown).
        foreach (var name in new[] { "c", "d" })
        {
            await Poll.UntilAsync(async () => (await TreeHost.GetAsync(tree["a"], "sites", name))?["status"]?["phase"]?.GetValue<string>() == "Offline",
                $"A to show {name} Offline", Heartbeat * 2 + TimeSpan.FromSeconds(2),
                async () => $"A: {(await TreeHost.GetAsync(tree["a"], "sites", name))?["status"]?.ToJsonString()}; B: {(await TreeHost.GetAsync(tree["b"], "sites", name))?["status"]?.ToJsonString()}");
        }

        // Autonomy: a mission applied at the region during the cut still reaches its own subtree.
        await TreeHost.ApplyAsync(tree["c"], "missions", "local", ShopMission.Replace("name: shops", "name: local").Replace("shop-config", "local-config"));
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["c"], "local")).GetValueOrDefault("a/b/c/d") == MissionStates.Active, "C's own mission Active at D during the cut");

        // An update at A during the cut reaches C and D after the heal.
        await TreeHost.ApplyAsync(tree["a"], "missions", "shops", ShopMission.Replace("version: \"1\"", "version: \"2\""));
        await Task.Delay(Heartbeat * 2);
        Assert.Equal("1", await ConfigVersionAsync(tree["c"]));

        tree.Heal("b", "c");

        await Poll.UntilAsync(async () => await ConfigVersionAsync(tree["c"]) == "2" && await ConfigVersionAsync(tree["d"]) == "2",
            "the update to reach C and D after the heal", TimeSpan.FromSeconds(10));
        await WaitStatesAsync(tree["a"], "shops", new()
        {
            ["a"] = MissionStates.NotMatch,
            ["a/b"] = MissionStates.NotMatch,
            ["a/b/c"] = MissionStates.Active,
            ["a/b/c/d"] = MissionStates.Active,
        }, TimeSpan.FromSeconds(10), "A to show C and D Active again");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task DeletingDeliveredObjectAtLeaf_IsRefusedNamingTheMission_AndMissionDeleteAtRootRemovesIt()
    {
        await using var tree = await TreeHost.StartAsync(ChainWithShops());
        await TreeHost.ApplyAsync(tree["a"], "missions", "shops", ShopMission);
        await Poll.UntilAsync(async () => await ConfigVersionAsync(tree["d"]) == "1", "delivery at D");

        // The object belongs to the mission: the leaf's API refuses to delete it, and says where to change the mission.
        using var deleted = await tree["d"].Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/configmaps/shop-config");
        Assert.Equal(System.Net.HttpStatusCode.Conflict, deleted.StatusCode);
        var message = (await deleted.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["message"]!.GetValue<string>();
        Assert.Contains("delivered by mission \"shops\"", message, StringComparison.Ordinal);
        Assert.Contains("at a/b/c, which sends it here", message, StringComparison.Ordinal);
        Assert.Equal("1", await ConfigVersionAsync(tree["d"]));

        var removed = await tree["a"].Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/missions/shops");
        Assert.True(removed.IsSuccessStatusCode);
        await Poll.UntilAsync(async () => await ConfigVersionAsync(tree["d"]) is null && await TreeHost.GetAsync(tree["c"], "missions", "shops") is null,
            "the mission and its content to be gone at C and D");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task RestartedSite_KeepsItsMissions_AndReconnects()
    {
        await using var tree = await TreeHost.StartAsync(ChainWithShops());
        await TreeHost.ApplyAsync(tree["a"], "missions", "shops", ShopMission);
        await Poll.UntilAsync(async () => await ConfigVersionAsync(tree["d"]) == "1", "delivery at D");

        await tree.RestartAsync("c");
        Assert.NotNull(await TreeHost.GetAsync(tree["c"], "missions", "shops"));
        Assert.Equal("1", await ConfigVersionAsync(tree["c"]));

        await tree.RestartAsync("a");
        Assert.NotNull(await TreeHost.GetAsync(tree["a"], "missions", "shops"));
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["a"], "missions", "shops", ShopMission.Replace("version: \"1\"", "version: \"3\""));
        await Poll.UntilAsync(async () => await ConfigVersionAsync(tree["d"]) == "3", "an update after restarts to reach D");
        await WaitStatesAsync(tree["a"], "shops", new()
        {
            ["a"] = MissionStates.NotMatch,
            ["a/b"] = MissionStates.NotMatch,
            ["a/b/c"] = MissionStates.Active,
            ["a/b/c/d"] = MissionStates.Active,
        }, TimeSpan.FromSeconds(10), "A to show every path after restarts");
    }
}
