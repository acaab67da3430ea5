using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// The Site objects a parent writes from its children's heartbeats: only on change, or every few heartbeats; a change of
/// the status alone is written as the status, while a spec change, the periodic refresh, or a Site removed by hand write
/// the whole object. Real SQLite store.
/// </summary>
public sealed class DownlinksSiteTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TestParentSite.Interval;
    private static readonly ObjectKey SiteB = new("Site", "default", "b");

    private readonly TestParentSite _parent = new(siteRefreshHeartbeats: 4);
    private readonly FakeTimeProvider _time;
    private readonly IObjectStore _store;
    private readonly Downlinks _downlinks;

    public DownlinksSiteTests()
    {
        _time = _parent.Time;
        _store = _parent.Store;
        _downlinks = _parent.Downlinks;
    }

    [Fact]
    public async Task Heartbeat_OnlyTimeMoved_SiteKeptUntilRefreshButTimeKnown()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(missions: 0), default);
        var first = await _store.GetAsync(SiteB);
        Assert.NotNull(first);

        for (var i = 1; i < 4; i++)
        {
            _time.Advance(Interval);
            await _downlinks.HeartbeatAsync("a/b", Beat(missions: 0), default);
            Assert.Equal(first.ResourceVersion, (await _store.GetAsync(SiteB))!.ResourceVersion);
            Assert.Equal(_time.GetUtcNow(), _downlinks.LastHeartbeatOf("a/b"));
        }

        // The fourth interval since the write: the stored heartbeat time is refreshed.
        _time.Advance(Interval);
        await _downlinks.HeartbeatAsync("a/b", Beat(missions: 0), default);
        Assert.NotEqual(first.ResourceVersion, (await _store.GetAsync(SiteB))!.ResourceVersion);
    }

    [Fact]
    public async Task Heartbeat_SummaryChanged_SiteWrittenAtOnce()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(missions: 0), default);
        _time.Advance(Interval);
        await _downlinks.HeartbeatAsync("a/b", Beat(missions: 2), default);

        var site = await _store.GetAsync(SiteB);
        Assert.Equal(2, site!.Object["status"]!["missions"]!["received"]!.GetValue<int>());
    }

    [Fact]
    public async Task Prune_MissedHeartbeats_OfflineWrittenAndBackOnNextHeartbeat()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(missions: 0), default);

        _time.Advance(Interval * 3 + TimeSpan.FromSeconds(1));
        await _downlinks.PruneAsync(default);
        var offline = (await _store.GetAsync(SiteB))!.Object["status"]!;
        Assert.False(offline["healthy"]!.GetValue<bool>());
        Assert.Equal("Offline", offline["phase"]!.GetValue<string>());

        await _downlinks.HeartbeatAsync("a/b", Beat(missions: 0), default);
        var back = (await _store.GetAsync(SiteB))!.Object["status"]!;
        Assert.True(back["healthy"]!.GetValue<bool>());
        Assert.Equal("Ready", back["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task MissionCountsChange_StatusUpdated_SpecAndLabelsKept()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 0, tier: "edge"), default);
        var first = (await _store.GetAsync(SiteB))!;

        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 3, tier: "edge"), default);

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
        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 0, tier: "edge"), default);
        var first = (await _store.GetAsync(SiteB))!;

        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 0, tier: "region"), default);

        var second = (await _store.GetAsync(SiteB))!;
        Assert.Equal("region", second.Object["spec"]!["tier"]!.GetValue<string>());
        Assert.Equal(first.Generation + 1, second.Generation);
    }

    [Fact]
    public async Task SiteRemovedByHand_NextStatusChangeWritesItAgain()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 0, tier: "edge"), default);
        await _store.DeleteAsync(SiteB);

        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 1, tier: "edge"), default);

        var again = (await _store.GetAsync(SiteB))!;
        Assert.Equal(("edge", 1), (again.Object["spec"]!["tier"]!.GetValue<string>(), again.Object["status"]!["missions"]!["received"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LabelsEditedByHand_RestoredByThePeriodicRefresh()
    {
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 0, tier: "edge"), default);
        var edited = (await _store.GetAsync(SiteB))!.Object.DeepClone().AsObject();
        edited["metadata"]!["labels"]!["shop"] = "edited";
        edited["metadata"]!.AsObject().Remove("resourceVersion");
        await _store.ApplyAsync(edited);

        _time.Advance(Interval * 4); // SiteRefreshHeartbeats
        await _downlinks.HeartbeatAsync("a/b", LabelledBeat(received: 0, tier: "edge"), default);

        Assert.Equal("yes", (await _store.GetAsync(SiteB))!.Object["metadata"]!["labels"]!["shop"]!.GetValue<string>());
    }

    /// <summary>A heartbeat of b with a label and the given tier and mission count.</summary>
    private Heartbeat LabelledBeat(int received, string tier)
    {
        var beat = Beat(received);
        beat.Subtree[0].Tier = tier;
        beat.Subtree[0].Labels["shop"] = "yes";
        return beat;
    }

    private Heartbeat Beat(int missions)
    {
        var beat = new Heartbeat { Sequence = 1, Healthy = true, MissionsReceived = missions };
        beat.Subtree.Add(new SiteSummary
        {
            Name = "b",
            Path = "a/b",
            Parent = "a",
            Tier = "edge",
            Healthy = true,
            LastHeartbeatUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
            MissionsReceived = missions,
        });
        return beat;
    }

    public ValueTask DisposeAsync() => _parent.DisposeAsync();
}
