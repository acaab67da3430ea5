namespace Fornax.Portal.Tests;

public sealed class TreeLatencyTests
{
    private static readonly TimeSpan Unmeasured = TimeSpan.FromMilliseconds(50);

    private static IServiceMap MapWith(params (string Path, double? UplinkMs)[] sites)
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        foreach (var (path, uplink) in sites)
        {
            map.Announce(new SiteAnnouncement(path, "", 1, new HashSet<ServiceKey>()) { UplinkLatency = uplink is { } ms ? TimeSpan.FromMilliseconds(ms) : null });
        }

        return map;
    }

    [Fact]
    public void Between_SumsEachSidesUplinksUpToTheCommonAncestor_NotTheAncestorsOwn()
    {
        var map = MapWith(("cloud", 500), ("cloud/east", 7), ("cloud/east/e1", 3), ("cloud/west", 11), ("cloud/west/w1", 2));

        Assert.Equal(TimeSpan.FromMilliseconds(3 + 7 + 11 + 2), TreeLatency.Between(map, "cloud/east/e1", "cloud/west/w1", Unmeasured));
        Assert.Equal(TimeSpan.FromMilliseconds(3), TreeLatency.Between(map, "cloud/east/e1", "cloud/east", Unmeasured));
        Assert.Equal(TimeSpan.Zero, TreeLatency.Between(map, "cloud/east/e1", "cloud/east/e1", Unmeasured));
    }

    [Fact]
    public void Between_AnUnmeasuredOrUnknownLinkCostsTheUnmeasuredHop_AcrossTreesIsNull()
    {
        var map = MapWith(("cloud/east", null), ("cloud/east/e1", 3));

        Assert.Equal(TimeSpan.FromMilliseconds(3) + Unmeasured + Unmeasured, TreeLatency.Between(map, "cloud/east/e1", "cloud/west", Unmeasured));
        Assert.Null(TreeLatency.Between(map, "cloud/east/e1", "other/x", Unmeasured));
    }

    [Fact]
    public void Announce_ALatencyChange_IsAChangeTheTreeHears()
    {
        var map = MapWith(("cloud/east", 7));
        var before = map.Version;

        Assert.True(map.Announce(new SiteAnnouncement("cloud/east", "", 2, new HashSet<ServiceKey>()) { UplinkLatency = TimeSpan.FromMilliseconds(30) }));
        Assert.Equal(TimeSpan.FromMilliseconds(30), Assert.Single(map.ChangesSince(before).Announced).UplinkLatency);
    }
}
