using System.Text.Json.Nodes;
using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// A heartbeat that changes only a child's status (its mission counts) rewrites only the <c>Site</c>'s status; a spec
/// change, a periodic refresh, or a <c>Site</c> removed by hand writes the whole object again. Real SQLite store.
/// </summary>
public sealed class SiteStatusWriteTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly ObjectKey SiteB = new("Site", "default", "b");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fornax-sitewrites-");
    private readonly IObjectStore _store;
    private readonly Downlinks _downlinks;

    public SiteStatusWriteTests()
    {
        _store = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = _data.FullName, TimeProvider = _time });
        var options = new LinkOptions { HeartbeatInterval = Interval, MissedHeartbeats = 3, TimeProvider = _time, SiteRefreshHeartbeats = 12 };
        _downlinks = new Downlinks(_store, new LinkSiteInfo("a", "a", "cloud", new Dictionary<string, string>()), options, NullLogger.Instance);
    }

    [Fact]
    public async Task MissionCountsChange_StatusUpdated_SpecAndLabelsKept()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(received: 0, tier: "edge"), default);
        var first = (await _store.GetAsync(SiteB))!;

        await _downlinks.HeartbeatAsync("a/b", Beat(received: 3, tier: "edge"), default);

        var second = (await _store.GetAsync(SiteB))!;
        Assert.Equal(3, second.Object["status"]!["missions"]!["received"]!.GetValue<int>());
        Assert.Equal(first.Generation, second.Generation); // the spec was not touched
        Assert.Equal(first.ResourceVersion + 1, second.ResourceVersion); // one change: the status
        Assert.Equal("edge", second.Object["spec"]!["tier"]!.GetValue<string>());
        Assert.Equal("yes", second.Object["metadata"]!["labels"]!["shop"]!.GetValue<string>());
    }

    [Fact]
    public async Task SpecChange_WritesTheWholeObject()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(received: 0, tier: "edge"), default);
        var first = (await _store.GetAsync(SiteB))!;

        await _downlinks.HeartbeatAsync("a/b", Beat(received: 0, tier: "region"), default);

        var second = (await _store.GetAsync(SiteB))!;
        Assert.Equal("region", second.Object["spec"]!["tier"]!.GetValue<string>());
        Assert.Equal(first.Generation + 1, second.Generation);
    }

    [Fact]
    public async Task SiteRemovedByHand_NextStatusChangeWritesItAgain()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(received: 0, tier: "edge"), default);
        await _store.DeleteAsync(SiteB);

        await _downlinks.HeartbeatAsync("a/b", Beat(received: 1, tier: "edge"), default);

        var again = (await _store.GetAsync(SiteB))!;
        Assert.Equal(("edge", 1), (again.Object["spec"]!["tier"]!.GetValue<string>(), again.Object["status"]!["missions"]!["received"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LabelsEditedByHand_RestoredByThePeriodicRefresh()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(received: 0, tier: "edge"), default);
        var edited = (await _store.GetAsync(SiteB))!.Object.DeepClone().AsObject();
        edited["metadata"]!["labels"]!["shop"] = "edited";
        edited["metadata"]!.AsObject().Remove("resourceVersion");
        await _store.ApplyAsync(edited);

        _time.Advance(Interval * 12);
        await _downlinks.HeartbeatAsync("a/b", Beat(received: 0, tier: "edge"), default);

        Assert.Equal("yes", (await _store.GetAsync(SiteB))!.Object["metadata"]!["labels"]!["shop"]!.GetValue<string>());
    }

    private Heartbeat Beat(int received, string tier)
    {
        var beat = new Heartbeat { Sequence = 1, Healthy = true };
        var site = new SiteSummary
        {
            Name = "b",
            Path = "a/b",
            Parent = "a",
            Tier = tier,
            Healthy = true,
            MissionsReceived = received,
            LastHeartbeatUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        site.Labels["shop"] = "yes";
        beat.Subtree.Add(site);
        return beat;
    }

    public async ValueTask DisposeAsync()
    {
        _downlinks.Dispose();
        await _store.DisposeAsync();
        _data.Delete(recursive: true);
    }
}
