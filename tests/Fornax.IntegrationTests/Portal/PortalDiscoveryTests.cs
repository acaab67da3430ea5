using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>The service map travels up and down the tree's links: every site learns what every other site serves.</summary>
public sealed class PortalDiscoveryTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task FunctionDeployedAtAnEdgeByAMission_EverySiteLearnsItServesThere()
    {
        await using var tree = await PortalTree.StartAsync();

        await PortalTree.DeployHelloAsync(tree, "hello-at-e2", "e2");

        // Up to the root and down the other subtree: the sibling edge, the region, the root.
        foreach (var at in new[] { "e1", "r", "a", "e2" })
        {
            await Poll.UntilAsync(() => PortalTree.Shows(tree[at], tree["e2"], healthy: true), $"{at} to know e2 serves hello", TimeSpan.FromSeconds(20));
        }

        Assert.Equal([tree["e2"].Path], PortalTree.Map(tree["e1"]).SitesServing(PortalTree.Hello).Select(s => s.SitePath));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task EdgeLinkCut_SiblingSeesItsBackendsUnhealthy_HealedHealthyAgain()
    {
        await using var tree = await PortalTree.StartAsync(new TreeHostOptions(), "e2");

        tree.Cut("r", "e2");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["e2"], healthy: false), "e1 to see e2 offline", TimeSpan.FromSeconds(20));
        await Poll.UntilAsync(() => PortalTree.Shows(tree["a"], tree["e2"], healthy: false), "the root to see e2 offline", TimeSpan.FromSeconds(20));

        tree.Heal("r", "e2");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["e2"], healthy: true), "e1 to see e2 back", TimeSpan.FromSeconds(20));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task SiteJoiningLater_LearnsTheMapAndIsLearnedByTheOthers()
    {
        await using var tree = await PortalTree.StartAsync();
        await tree.StopAsync("e1");
        await PortalTree.DeployHelloAsync(tree, "hello-at-e2", "e2");

        // e1 was away while hello was deployed: it hears of it when it links again.
        await tree.StartAgainAsync("e1");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["e2"], healthy: true), "e1 to learn e2 serves hello", TimeSpan.FromSeconds(20),
            () => PortalTree.Describe(tree, "e1") + " / r: " + PortalTree.Describe(tree, "r"));

        await PortalTree.DeployHelloAsync(tree, "hello-at-e1", "e1");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e2"], tree["e1"], healthy: true), "e2 to learn e1 serves hello too", TimeSpan.FromSeconds(20));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task SiteForgottenByItsParent_LeavesEveryMap_RequestsGoToTheOtherBackend()
    {
        await using var tree = await PortalTree.StartAsync("e2", "a");
        var e2 = tree["e2"].Path;

        var (status, _) = await Fornax.IntegrationTests.Forget.ForgetHarness.ForgetAsync(tree["r"], "e2", force: true);

        Assert.Equal(200, status);
        foreach (var at in new[] { "e1", "r", "a" })
        {
            await Poll.UntilAsync(() => PortalTree.Map(tree[at]).Site(e2) is null, $"{at}'s map to forget e2", TimeSpan.FromSeconds(20));
        }

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=after");
        Assert.Equal("a/r/e1, a", PortalTree.Route(response));
    }
}
