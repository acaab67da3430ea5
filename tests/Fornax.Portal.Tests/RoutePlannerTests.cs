namespace Fornax.Portal.Tests;

public sealed class RoutePlannerTests
{
    private static readonly ServiceKey Inventory = new("shop", "inventory");

    private static IServiceMap MapWith(params (string Path, string Address)[] sites)
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        foreach (var (path, address) in sites)
        {
            map.Announce(new SiteAnnouncement(path, address, 1, new HashSet<ServiceKey> { Inventory }));
        }

        return map;
    }

    [Fact]
    public void Plan_LocalBackend_ComesFirstEvenWhenOthersMeasureFaster()
    {
        var map = MapWith(("cloud/east/e1", "a:1"), ("cloud/east/e2", "a:2"));
        var planner = new RoutePlanner(map, new PortalOptions("cloud/east/e1"), _ => TimeSpan.Zero);

        var plan = planner.Plan(Inventory);

        Assert.Equal(["cloud/east/e1", "cloud/east/e2"], plan.Candidates.Select(c => c.Site.SitePath));
        Assert.True(plan.Candidates[0].Local);
        Assert.False(plan.Candidates[0].Direct);
    }

    [Fact]
    public void Plan_RemoteBackends_OrderedByMeasuredLatency()
    {
        var map = MapWith(("cloud/east/e2", "a:2"), ("cloud/west/w1", "b:1"));
        var latency = new Dictionary<string, TimeSpan> { ["cloud/east/e2"] = TimeSpan.FromMilliseconds(80), ["cloud/west/w1"] = TimeSpan.FromMilliseconds(20) };
        var planner = new RoutePlanner(map, new PortalOptions("cloud/east/e1"), path => latency[path]);

        var plan = planner.Plan(Inventory);

        Assert.Equal(["cloud/west/w1", "cloud/east/e2"], plan.Candidates.Select(c => c.Site.SitePath));
        Assert.Equal(TimeSpan.FromMilliseconds(20), plan.Candidates[0].Cost);
    }

    [Fact]
    public void Plan_Unmeasured_RanksByHopsAndNamesTheCommonAncestor()
    {
        var map = MapWith(("cloud/west/w1", "b:1"), ("cloud/east/e2", ""));
        var planner = new RoutePlanner(map, new PortalOptions("cloud/east/e1") { UnmeasuredHopCost = TimeSpan.FromMilliseconds(10) }, _ => null);

        var plan = planner.Plan(Inventory);

        Assert.Collection(plan.Candidates,
            sibling =>
            {
                Assert.Equal(("cloud/east/e2", "cloud/east", false), (sibling.Site.SitePath, sibling.Via, sibling.Direct));
                Assert.Equal(TimeSpan.FromMilliseconds(20), sibling.Cost);
            },
            cousin =>
            {
                Assert.Equal(("cloud/west/w1", "cloud", true), (cousin.Site.SitePath, cousin.Via, cousin.Direct));
                Assert.Equal(TimeSpan.FromMilliseconds(40), cousin.Cost);
            });
    }

    [Fact]
    public void Plan_OfflineSite_IsNotACandidateButIsNamed()
    {
        var map = MapWith(("cloud/east/e2", "a:2"), ("cloud/west/w1", "b:1"));
        map.SetHealth("cloud/east/e2", healthy: false);
        var planner = new RoutePlanner(map, new PortalOptions("cloud/east/e1"), _ => null);

        var plan = planner.Plan(Inventory);

        Assert.Equal(["cloud/west/w1"], plan.Candidates.Select(c => c.Site.SitePath));
        Assert.Equal(["cloud/east/e2"], plan.OfflineSites);
        Assert.False(plan.Unknown);
    }

    [Fact]
    public void Plan_NoSiteServes_IsUnknown()
    {
        var planner = new RoutePlanner(MapWith(), new PortalOptions("cloud/east/e1"), _ => null);

        Assert.True(planner.Plan(Inventory).Unknown);
    }

    [Fact]
    public void Plan_SiteOfAnotherTree_IsNeverACandidate()
    {
        var map = MapWith(("other/east/e2", "a:2"));
        var planner = new RoutePlanner(map, new PortalOptions("cloud/east/e1"), _ => null);

        Assert.True(planner.Plan(Inventory).Unknown);
    }

    [Theory]
    [InlineData("cloud/east/e1", "cloud/east/e2", "cloud/east", 2)]
    [InlineData("cloud/east/e1", "cloud/west/w1", "cloud", 4)]
    [InlineData("cloud/east/e1", "cloud/east", "cloud/east", 1)]
    [InlineData("cloud", "cloud", "cloud", 0)]
    [InlineData("cloud/a", "other/a", "", -1)]
    [InlineData("cloud/east", "cloud/eastern", "cloud", 2)]
    [InlineData("cloud/east/e1", "cloud/east/e10", "cloud/east", 2)]
    [InlineData("cloud/eastern/e1", "cloud/east", "cloud", 3)]
    [InlineData("cloud", "cloud/east/e1", "cloud", 2)]
    public void TreePaths_CommonAncestorAndHops(string a, string b, string ancestor, int hops)
    {
        Assert.Equal(ancestor, TreePaths.CommonAncestor(a, b));
        Assert.Equal(hops, TreePaths.Hops(a, b));
    }
}
