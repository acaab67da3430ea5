using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using MissionStatus = Fornax.Hierarchy.Links.MissionStatus;

using static Fornax.Hierarchy.Tests.Links.TestParentSite;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// A restarted parent <c>a</c> (children <c>b</c> with <c>b/c</c> below it, and <c>d</c>) knows the children it had before
/// they link again (<see cref="Downlinks.RestoreChildrenAsync"/>): one that stays away goes <c>cluster offline</c>
/// <see cref="LinkOptions.MissedHeartbeats"/> intervals after the start, in missions from before the restart and after it;
/// a forgotten one stays gone. Real SQLite store, reopened on the same data directory; fake time.
/// </summary>
public sealed class DownlinksRestoreTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TestParentSite.Interval;
    private static readonly TimeSpan Missed = Interval * 3 + TimeSpan.FromSeconds(1);
    private static readonly ObjectKey Mission = new("Mission", "default", "m");
    private static readonly ObjectKey Later = new("Mission", "default", "later");

    private readonly TestParentSite _parent = new();

    private Downlinks Downlinks => _parent.Downlinks;

    private IObjectStore Store => _parent.Store;

    [Fact]
    public async Task Restore_ChildAwayAcrossTheRestart_OfflineMissedHeartbeatsAfterTheStart_NotBefore()
    {
        await TwoChildrenReportingAsync();
        // The parent is down for longer than the missed heartbeats: counted from before the restart, b would be offline at once.
        _parent.Time.Advance(Interval * 10);
        await _parent.RestartAsync();

        var restored = await Downlinks.RestoreChildrenAsync(null, default);
        await Store.CreateAsync(MissionJson("later"));
        await Downlinks.PruneAsync(default);

        Assert.Equal(["a/b", "a/d"], restored.Order());
        var b = Downlinks.Children.Single(c => c.Path == "a/b");
        Assert.False(b.Online);
        Assert.False(b.IsOffline);
        Assert.Equal(["a/b", "a/b/c"], b.Subtree.Select(s => s.Path));
        Assert.Equal(MissionStates.Active, (await StatesAsync(Mission)).GetValueOrDefault("a/b/c"));
        Assert.Empty(await StatesAsync(Later));

        // d links again within the missed heartbeats; b does not.
        _parent.Time.Advance(Interval);
        await Downlinks.ConnectAsync(Hello("d"), default);
        await Downlinks.HeartbeatAsync("a/d", _parent.Beat("d"), default);
        _parent.Time.Advance(Missed - Interval);
        await Downlinks.HeartbeatAsync("a/d", _parent.Beat("d"), default);
        await Downlinks.PruneAsync(default);

        Assert.True(b.IsOffline);
        Assert.Equal(new Dictionary<string, string> { ["a/b"] = MissionStates.ClusterOffline, ["a/d"] = MissionStates.Active }, await StatesAsync(Mission));
        Assert.Equal(new Dictionary<string, string> { ["a/b"] = MissionStates.ClusterOffline }, await StatesAsync(Later));
        foreach (var name in new[] { "b", "c" })
        {
            var site = (await Store.GetAsync(Site(name)))!.Object["status"]!;
            Assert.Equal("Offline", site["phase"]!.GetValue<string>());
            Assert.False(site["healthy"]!.GetValue<bool>());
        }

        Assert.True((await Store.GetAsync(Site("d")))!.Object["status"]!["healthy"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Restore_ChildLinksAgainAfterItsMark_ReconcilesAsBefore()
    {
        await TwoChildrenReportingAsync();
        await _parent.RestartAsync();
        await Downlinks.RestoreChildrenAsync(null, default);
        _parent.Time.Advance(Missed);
        await Downlinks.PruneAsync(default);
        Assert.Equal(MissionStates.ClusterOffline, (await StatesAsync(Mission))["a/b"]);

        await Downlinks.ConnectAsync(Hello("b"), default);
        await Downlinks.HeartbeatAsync("a/b", _parent.Beat("b", "c"), default);
        await Downlinks.ReportAsync("a/b", Report(("a/b", MissionStates.NotMatch), ("a/b/c", MissionStates.Active)), default);

        var states = await StatesAsync(Mission);
        Assert.Equal(MissionStates.NotMatch, states["a/b"]);
        Assert.Equal(MissionStates.Active, states["a/b/c"]);
        Assert.Equal("Ready", (await Store.GetAsync(Site("c")))!.Object["status"]!["phase"]!.GetValue<string>());
        Assert.True(Downlinks.Children.Single(c => c.Path == "a/b").Online);
    }

    [Fact]
    public async Task Restore_ForgottenChild_NotKnownAgain_NoMarkInAnyMission()
    {
        await TwoChildrenReportingAsync();
        _parent.Time.Advance(Missed);
        await Downlinks.PruneAsync(default);
        await Downlinks.ForgetAsync("b", "a/b", force: false, [], default);
        await _parent.RestartAsync();

        var restored = await Downlinks.RestoreChildrenAsync(null, default);
        await Store.CreateAsync(MissionJson("later"));
        _parent.Time.Advance(Missed);
        await Downlinks.PruneAsync(default);

        Assert.Equal(["a/d"], restored);
        Assert.Equal(["a/d"], Downlinks.Children.Select(c => c.Path));
        Assert.Equal(["a/d"], Downlinks.Known.All.Select(k => k.Path));
        Assert.DoesNotContain(await StatesAsync(Mission), s => MissionStatus.IsUnder(s.Key, "a/b"));
        Assert.Equal(["a/d"], (await StatesAsync(Later)).Keys);
        Assert.Null(await Store.GetAsync(Site("b")));
    }

    [Fact]
    public async Task Restore_ForgetCutShortAfterItsRecord_ChildNotKnownAgain_AndDroppedFromTheRecord()
    {
        await TwoChildrenReportingAsync();
        // As if the site crashed right after recording the forget of b: its Site objects and its entry of the known
        // children are still there.
        ForgottenChildren.Open(_parent.DataDirectory).Record("b", "a/b", _parent.Time.GetUtcNow());
        await _parent.RestartAsync();

        var restored = await Downlinks.RestoreChildrenAsync(null, default);

        Assert.Equal(["a/d"], restored);
        Assert.Equal(["a/d"], KnownChildren.Open(_parent.DataDirectory).All.Select(k => k.Path));
    }

    [Fact]
    public async Task Restore_SiteObjectDeletedByHand_KnownFromTheRecord_ShownOfflineFromIt()
    {
        await TwoChildrenReportingAsync();
        await Store.DeleteAsync(Site("d"));
        await _parent.RestartAsync();

        await Downlinks.RestoreChildrenAsync(null, default);
        _parent.Time.Advance(Missed);
        await Downlinks.PruneAsync(default);

        Assert.Equal(MissionStates.ClusterOffline, (await StatesAsync(Mission))["a/d"]);
        var d = ObjectSerializer.FromJson<Site>((await Store.GetAsync(Site("d")))!.Object);
        Assert.Equal(("a/d", "Offline", false, "region", "a"), (d.Status!.Path, d.Status.Phase, d.Status.Healthy, d.Spec.Tier, d.Spec.Parent));
    }

    [Fact]
    public async Task Restore_DataDirectoryFromBeforeTheRecord_KnownFromSiteObjects_AndRecordedForNextTime()
    {
        await TwoChildrenReportingAsync();
        File.Delete(Path.Combine(_parent.DataDirectory, "links", KnownChildren.FileName));
        await _parent.RestartAsync();

        var restored = await Downlinks.RestoreChildrenAsync(null, default);

        Assert.Equal(["a/b", "a/d"], restored.Order());
        Assert.Equal(["a/b", "a/d"], KnownChildren.Open(_parent.DataDirectory).All.Select(k => k.Path));
    }

    [Fact]
    public async Task Restore_AwaitedChild_ForgottenWithoutForce()
    {
        await TwoChildrenReportingAsync();
        await _parent.RestartAsync();
        await Downlinks.RestoreChildrenAsync(null, default);

        var outcome = await Downlinks.ForgetAsync("b", "a/b", force: false, [], default);

        Assert.False(outcome.LinkClosed);
        Assert.Equal(["b", "c"], outcome.DroppedSites.Order());
    }

    /// <summary>b (with c below it) and d connected, heartbeating and reporting mission m.</summary>
    private async Task TwoChildrenReportingAsync()
    {
        await Store.CreateAsync(MissionJson("m"));
        await Downlinks.ConnectAsync(Hello("b"), default);
        await Downlinks.ConnectAsync(Hello("d"), default);
        await Downlinks.HeartbeatAsync("a/b", _parent.Beat("b", "c"), default);
        await Downlinks.HeartbeatAsync("a/d", _parent.Beat("d"), default);
        await Downlinks.ReportAsync("a/b", Report(("a/b", MissionStates.NotMatch), ("a/b/c", MissionStates.Active)), default);
        await Downlinks.ReportAsync("a/d", Report(("a/d", MissionStates.Active)), default);
    }

    private async Task<Dictionary<string, string>> StatesAsync(ObjectKey mission) => MissionStatus.States((await Store.GetAsync(mission))!.Object);

    private static Hello Hello(string name) => new() { Name = name, Path = $"a/{name}", Tier = "region", Incarnation = "1" };

    public ValueTask DisposeAsync() => _parent.DisposeAsync();
}
