using Fornax.Core.Objects;
using Fornax.Node.Trees;
using static Fornax.IntegrationTests.Attach.AttachHarness;
using static Fornax.IntegrationTests.Forget.ForgetHarness;

namespace Fornax.IntegrationTests.Offline;

/// <summary>
/// A child that is away across a restart of its parent (docs/tree.md, "After a restart of the parent"): the restarted
/// parent still knows it and shows it <c>cluster offline</c>, in missions from before the restart and after it, at the
/// parent and at the root; a forgotten child stays gone. The tree: <c>cloud</c> → <c>east</c> → (<c>east-1</c> →
/// <c>shop-1</c>) and <c>east-2</c>. Real sites in process on loopback, real stores and mutual-TLS links, a 200 ms heartbeat.
/// </summary>
public sealed class ParentRestartTests
{
    private const string East1 = "cloud/east/east-1";
    private const string Shop1 = "cloud/east/east-1/shop-1";
    private const string East2 = "cloud/east/east-2";

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ParentRestart_ChildAwayAcrossIt_ClusterOfflineAtParentAndRoot_ActiveAgainWhenItReturns()
    {
        await using var tree = await TreeHost.StartAsync(EastWithTwoChildren());
        var (cloud, east) = (tree["cloud"], tree["east"]);
        await ApplyEverySiteAsync(cloud, "before");
        await WaitAsync(() => AllActiveAsync(cloud, "before"), "every site Active in 'before' at cloud", Describe(cloud, "before"));
        // What east restores of east-1's subtree is what east-1's heartbeats last reported: shop-1 must have been in one.
        await WaitAsync(() => HasSitesAsync(east, "east-1", "shop-1", "east-2"), "east to have the Site objects of its subtree");

        await tree.StopAsync("east-1");
        await tree.RestartAsync("east");
        await ApplyEverySiteAsync(east, "at-east");
        await ApplyEverySiteAsync(cloud, "at-cloud");

        foreach (var (site, mission) in new[] { (east, "before"), (east, "at-east"), (east, "at-cloud"), (cloud, "before"), (cloud, "at-cloud") })
        {
            await WaitAsync(() => East1OfflineOthersActiveAsync(site, mission),
                $"{site.Name} to show {East1} cluster offline and no {Shop1} in '{mission}'", Describe(site, mission));
        }

        // The root shows what east shows: Offline, relayed in east's heartbeats (not Unknown).
        foreach (var (site, name) in new[] { (east, "east-1"), (east, "shop-1"), (cloud, "east-1"), (cloud, "shop-1") })
        {
            await WaitAsync(async () => (await TreeHost.GetAsync(site, "sites", name))?["status"] is { } status
                && status["phase"]?.GetValue<string>() == "Offline" && status["healthy"]?.GetValue<bool>() == false, $"{site.Name} to show {name} Offline and unhealthy",
                async () => (await TreeHost.GetAsync(site, "sites", name))?.ToJsonString() ?? "no Site");
        }
        Assert.True((await TreeHost.GetAsync(east, "sites", "east-2"))!["status"]!["healthy"]!.GetValue<bool>());

        await tree.StartAgainAsync("east-1");
        foreach (var (site, mission) in new[] { (east, "before"), (east, "at-east"), (east, "at-cloud"), (cloud, "before"), (cloud, "at-cloud") })
        {
            await WaitAsync(() => AllActiveAsync(site, mission), $"every site Active in '{mission}' at {site.Name} again", Describe(site, mission));
        }

        foreach (var site in new[] { east, cloud })
        {
            await WaitAsync(async () => (await TreeHost.GetAsync(site, "sites", "shop-1"))?["status"]?["phase"]?.GetValue<string>() == "Ready", $"{site.Name} to show shop-1 Ready again");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ParentRestart_ForgottenChild_DoesNotComeBack()
    {
        await using var tree = await TreeHost.StartAsync(EastWithTwoChildren());
        var (cloud, east) = (tree["cloud"], tree["east"]);
        await ApplyEverySiteAsync(cloud, "before");
        await WaitAsync(() => AllActiveAsync(cloud, "before"), "every site Active in 'before' at cloud", Describe(cloud, "before"));
        await tree.StopAsync("east-2");
        await WaitAsync(async () => (await TreeHost.StatesAsync(east, "before")).GetValueOrDefault(East2) == MissionStates.ClusterOffline, "east to mark east-2 offline");
        var (forgot, body) = await ForgetAsync(east, "east-2");
        Assert.True(forgot == 200, body.ToJsonString());

        // east-1 stays away across the restart too: once the restarted east shows it cluster offline, its pruner has
        // passed over every child it knows, and east-2 must not be one of them.
        await tree.StopAsync("east-1");
        await tree.RestartAsync("east");
        await ApplyEverySiteAsync(cloud, "after");

        foreach (var site in new[] { east, cloud })
        {
            foreach (var mission in new[] { "before", "after" })
            {
                await WaitAsync(async () => (await TreeHost.StatesAsync(site, mission)).GetValueOrDefault(East1) == MissionStates.ClusterOffline,
                    $"{site.Name} to show {East1} cluster offline in '{mission}'", Describe(site, mission));
                Assert.Empty(await KeysUnderAsync(site, mission, East2));
            }

            Assert.True(await HasNoSitesAsync(site, "east-2"), $"{site.Name} has no Site of east-2");
        }

        var children = (await TreeHost.GetAsync(east, "sites", "east"))!["status"]!["children"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(["east-1"], children);
    }

    private static Topology EastWithTwoChildren() => new()
    {
        Metadata = new ObjectMeta { Name = "east-with-two-children" },
        Spec = new TopologySpec
        {
            Sites =
            [
                new TopologySite { Name = "cloud", Tier = SiteTiers.Cloud },
                new TopologySite { Name = "east", Parent = "cloud", Tier = SiteTiers.Region },
                new TopologySite { Name = "east-1", Parent = "east", Tier = SiteTiers.Edge },
                new TopologySite { Name = "shop-1", Parent = "east-1", Tier = SiteTiers.Edge },
                new TopologySite { Name = "east-2", Parent = "east", Tier = SiteTiers.Edge },
            ],
        },
    };

    private static readonly string[] Paths = ["cloud", "cloud/east", East1, Shop1, East2];

    /// <summary>The paths a site's state maps hold: its own and its subtree's (states flow up, never down).</summary>
    private static string[] PathsAt(TreeSite site) => [.. Paths.Where(p => p == site.Path || p.StartsWith(site.Path + "/", StringComparison.Ordinal))];

    /// <summary>One entry per site path of the site's subtree, every one Active.</summary>
    private static async Task<bool> AllActiveAsync(TreeSite site, string mission)
    {
        var states = await TreeHost.StatesAsync(site, mission);
        return states.Count == PathsAt(site).Length && PathsAt(site).All(p => states.GetValueOrDefault(p) == MissionStates.Active);
    }

    /// <summary>east-1 cluster offline, nothing under it, every other site of the site's subtree Active.</summary>
    private static async Task<bool> East1OfflineOthersActiveAsync(TreeSite site, string mission)
    {
        var states = await TreeHost.StatesAsync(site, mission);
        var others = PathsAt(site).Except([East1, Shop1]).ToList();
        return states.Count == others.Count + 1 && states.GetValueOrDefault(East1) == MissionStates.ClusterOffline
            && others.All(p => states.GetValueOrDefault(p) == MissionStates.Active);
    }

    private static Func<Task<string>> Describe(TreeSite site, string mission) =>
        async () => string.Join(", ", (await TreeHost.StatesAsync(site, mission)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"));
}
