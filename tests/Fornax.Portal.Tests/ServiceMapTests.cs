using CsCheck;

namespace Fornax.Portal.Tests;

public sealed class ServiceMapTests
{
    private static readonly ServiceKey Inventory = new("shop", "inventory");
    private static readonly ServiceKey Frames = new("default", "frames");

    private static SiteAnnouncement Site(string path, long version, params ServiceKey[] services) =>
        new(path, $"127.0.0.1:{1000 + version}", version, services.ToHashSet());

    [Fact]
    public void Announce_TwoSites_SitesServingListsBoth()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));

        Assert.True(map.Announce(Site("cloud/east/e1", 1, Inventory)));
        Assert.True(map.Announce(Site("cloud/west/w1", 1, Inventory, Frames)));

        Assert.Equal(["cloud/east/e1", "cloud/west/w1"], map.SitesServing(Inventory).Select(s => s.SitePath));
        Assert.Equal(["cloud/west/w1"], map.SitesServing(Frames).Select(s => s.SitePath));
        Assert.Equal([Frames, Inventory], map.Services);
    }

    [Fact]
    public async Task WaitForChangeAsync_PendingUntilAChange_ThenCompletes()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        var waiting = map.WaitForChangeAsync(map.Version, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        map.Announce(Site("cloud/east/e1", 1, Inventory));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.True(map.WaitForChangeAsync(0, CancellationToken.None).IsCompleted);
    }

    [Fact]
    public void Announce_OlderOrSameVersion_IsRefusedAndChangesNothing()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        map.Announce(Site("cloud/east/e1", 5, Inventory));
        var version = map.Version;

        Assert.False(map.Announce(Site("cloud/east/e1", 4, Frames)));
        Assert.False(map.Announce(Site("cloud/east/e1", 5, Frames)));

        Assert.Equal(version, map.Version);
        Assert.Single(map.SitesServing(Inventory));
        Assert.Empty(map.SitesServing(Frames));
    }

    [Fact]
    public void Announce_NewerVersionSameContent_IsNoChangeButRaisesTheBar()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        map.Announce(Site("cloud/east/e1", 1, Inventory) with { PortalAddress = "a:1" });

        Assert.False(map.Announce(Site("cloud/east/e1", 2, Inventory) with { PortalAddress = "a:1" }));
        Assert.False(map.Announce(Site("cloud/east/e1", 2, Frames)));
        Assert.Equal(1, map.Version);
    }

    [Fact]
    public void ChangesSince_AfterOneChange_CarriesOnlyThatSite()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        map.Announce(Site("cloud/east/e1", 1, Inventory));
        map.Announce(Site("cloud/west/w1", 1, Inventory));
        var seen = map.Version;

        map.Announce(Site("cloud/west/w1", 2, Frames));
        var delta = map.ChangesSince(seen);

        Assert.Equal(seen, delta.FromVersion);
        Assert.Equal(map.Version, delta.ToVersion);
        Assert.Equal(["cloud/west/w1"], delta.Announced.Select(a => a.SitePath));
        Assert.Empty(delta.HealthChanged);
        Assert.Empty(delta.Removed);
        Assert.True(map.ChangesSince(map.Version).IsEmpty);
    }

    [Fact]
    public void SetHealth_Offline_TravelsAsHealthOnlyAndShowsInSitesServing()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        map.Announce(Site("cloud/east/e1", 1, Inventory));
        var seen = map.Version;

        Assert.True(map.SetHealth("cloud/east/e1", healthy: false));
        Assert.False(map.SetHealth("cloud/east/e1", healthy: false));
        Assert.False(map.SetHealth("cloud/nowhere", healthy: false));

        var delta = map.ChangesSince(seen);
        Assert.Empty(delta.Announced);
        Assert.Equal(new Dictionary<string, bool> { ["cloud/east/e1"] = false }, delta.HealthChanged);
        Assert.False(Assert.Single(map.SitesServing(Inventory)).Healthy);
    }

    [Fact]
    public void Remove_Subtree_RemovesEverySiteUnderItOnly()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        map.Announce(Site("cloud/east", 1, Inventory));
        map.Announce(Site("cloud/east/e1", 1, Inventory));
        map.Announce(Site("cloud/eastern", 1, Inventory));
        var seen = map.Version;

        Assert.True(map.Remove("cloud/east"));

        Assert.Equal(["cloud/eastern"], map.SitesServing(Inventory).Select(s => s.SitePath));
        Assert.Equal(["cloud/east", "cloud/east/e1"], map.ChangesSince(seen).Removed);
        Assert.False(map.Remove("cloud/east"));
    }

    [Fact]
    public void Announce_AfterRemove_OnlyANewerVersionBringsTheSiteBack()
    {
        var map = ServiceMaps.Create(new PortalOptions("cloud"));
        map.Announce(Site("cloud/east/e1", 3, Inventory));
        map.Remove("cloud/east/e1");

        Assert.False(map.Announce(Site("cloud/east/e1", 3, Inventory)));
        Assert.True(map.Announce(Site("cloud/east/e1", 4, Inventory)));
        Assert.Single(map.SitesServing(Inventory));
    }

    [Fact]
    public void Apply_DeltasFromParent_ChildConvergesToTheParentsMap()
    {
        var parent = ServiceMaps.Create(new PortalOptions("cloud"));
        var child = ServiceMaps.Create(new PortalOptions("cloud/east/e1"));
        long sent = 0;
        void Pass()
        {
            var delta = parent.ChangesSince(sent);
            child.Apply(delta);
            sent = delta.ToVersion;
        }

        parent.Announce(Site("cloud/west/w1", 1, Inventory));
        parent.Announce(Site("cloud/west/w2", 1, Inventory, Frames));
        Pass();
        parent.SetHealth("cloud/west/w1", healthy: false);
        parent.Remove("cloud/west/w2");
        parent.Announce(Site("cloud/south/s1", 1, Frames));
        Pass();

        Assert.Equal(parent.Services, child.Services);
        Assert.Equal(parent.SitesServing(Inventory), child.SitesServing(Inventory));
        Assert.Equal(parent.SitesServing(Frames), child.SitesServing(Frames));
        Assert.False(child.Apply(parent.ChangesSince(sent)));
    }

    [Fact]
    public void Apply_SiteBackOnlineWithNewServices_ChildSeesItOnline()
    {
        var parent = ServiceMaps.Create(new PortalOptions("cloud"));
        var child = ServiceMaps.Create(new PortalOptions("cloud/east"));
        parent.Announce(Site("cloud/west/w1", 1, Inventory));
        parent.SetHealth("cloud/west/w1", healthy: false);
        child.Apply(parent.ChangesSince(0));
        var sent = parent.Version;

        parent.SetHealth("cloud/west/w1", healthy: true);
        parent.Announce(Site("cloud/west/w1", 2, Inventory, Frames));
        child.Apply(parent.ChangesSince(sent));

        Assert.True(Assert.Single(child.SitesServing(Frames)).Healthy);
        Assert.Equal(parent.SitesServing(Inventory), child.SitesServing(Inventory));
    }

    [Fact]
    public void ChangesSince_NewSiteAlreadyOffline_CarriesItsHealthToo()
    {
        var parent = ServiceMaps.Create(new PortalOptions("cloud"));
        parent.Announce(Site("cloud/west/w1", 1, Inventory));
        parent.SetHealth("cloud/west/w1", healthy: false);

        var child = ServiceMaps.Create(new PortalOptions("cloud/east"));
        child.Apply(parent.ChangesSince(0));

        Assert.False(Assert.Single(child.SitesServing(Inventory)).Healthy);
    }

    [Fact]
    public void Apply_DeltasInAnyOrder_SameMap() =>
        Gen.Int[0, 3].Array[1, 12].Sample(ops =>
        {
            // Announcements carry their origin's version, so two portals hearing the same announcements in any order agree.
            var announcements = ops.Select((op, i) => Site($"cloud/s{op}", i + 1, i % 2 == 0 ? Inventory : Frames)).ToList();
            var forward = ServiceMaps.Create(new PortalOptions("cloud"));
            var backward = ServiceMaps.Create(new PortalOptions("cloud"));
            announcements.ForEach(a => forward.Announce(a));
            Enumerable.Reverse(announcements).ToList().ForEach(a => backward.Announce(a));
            return forward.SitesServing(Inventory).SequenceEqual(backward.SitesServing(Inventory))
                && forward.SitesServing(Frames).SequenceEqual(backward.SitesServing(Frames));
        });
}
