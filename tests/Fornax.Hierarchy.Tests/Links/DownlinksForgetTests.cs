using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Time.Testing;
using MissionStatus = Fornax.Hierarchy.Links.MissionStatus;

using static Fornax.Hierarchy.Tests.Links.TestParentSite;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// Forgetting a child at the parent <c>a</c> (children <c>b</c> with <c>b/c</c> below it, and <c>d</c>): what goes, what
/// stays, and that nothing of the child comes back through a late heartbeat, a report or the pruner. Real SQLite store.
/// </summary>
public sealed class DownlinksForgetTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TestParentSite.Interval;
    private static readonly ObjectKey Mission = new("Mission", "default", "m");

    private readonly TestParentSite _parent = new();
    private readonly FakeTimeProvider _time;
    private readonly IObjectStore _store;
    private readonly Downlinks _downlinks;

    public DownlinksForgetTests()
    {
        _time = _parent.Time;
        _store = _parent.Store;
        _downlinks = _parent.Downlinks;
    }

    [Fact]
    public async Task Forget_OfflineChild_DropsItsSubtreeSitesAndStateKeys_KeepsTheSibling()
    {
        await TwoChildrenReportingAsync();
        await GoOfflineAsync("d");

        var outcome = await _downlinks.ForgetAsync("b", "a/b", force: false, [], default);

        Assert.False(outcome.LinkClosed);
        Assert.Equal(["b", "c"], outcome.DroppedSites.Order());
        Assert.Null(await _store.GetAsync(Site("b")));
        Assert.Null(await _store.GetAsync(Site("c")));
        Assert.NotNull(await _store.GetAsync(Site("d")));
        Assert.Equal(["a/d"], (await StatesAsync()).Keys);
        Assert.DoesNotContain(_downlinks.Children, c => c.Path == "a/b");
        Assert.Null(_downlinks.LastHeartbeatOf("a/b/c"));
    }

    [Fact]
    public async Task Forget_OnlineChildWithoutForce_IsRefused_AndChangesNothing()
    {
        await TwoChildrenReportingAsync();
        var rv = _store.ResourceVersion;

        var refused = await Assert.ThrowsAsync<ForgetRefusedException>(() => _downlinks.ForgetAsync("b", "a/b", force: false, [], default));

        Assert.Equal(ForgetRefusal.Online, refused.Refusal);
        Assert.Contains("site \"b\" is online", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--force", refused.Message, StringComparison.Ordinal);
        Assert.Equal(rv, _store.ResourceVersion);
        Assert.Empty(_downlinks.Forgotten.All);
        Assert.False(File.Exists(Path.Combine(_parent.DataDirectory, "links", ForgottenChildren.FileName)));
    }

    [Fact]
    public async Task Forget_OnlineChildForced_EndsItsSession_AndItsCertificateIsRefusedFromThenOn()
    {
        await _store.CreateAsync(MissionJson());
        var session = await _downlinks.ConnectAsync(Hello("b"), "sha256:b-old", default);

        var outcome = await _downlinks.ForgetAsync("b", "a/b", force: true, [], default);

        Assert.True(outcome.LinkClosed);
        Assert.True(session.Closed.IsCancellationRequested);
        var refused = await Assert.ThrowsAsync<ChildForgottenException>(() => _downlinks.ConnectAsync(Hello("b"), "sha256:b-old", default));
        Assert.Equal("site \"b\" was forgotten at a; join again with a new token", refused.Message);
    }

    [Fact]
    public async Task AfterForget_LateHeartbeatReportAndPruner_BringNothingBack()
    {
        await TwoChildrenReportingAsync();
        await GoOfflineAsync("d");
        await _downlinks.ForgetAsync("b", "a/b", force: false, [], default);

        // What a session still draining after the forget would deliver, and a pruner pass long after.
        await _downlinks.HeartbeatAsync("a/b", _parent.Beat("b", "c"), default);
        await _downlinks.ReportAsync("a/b", Report(("a/b", MissionStates.Active), ("a/b/c", MissionStates.Active)), default);
        _time.Advance(Interval * 10);
        await _downlinks.PruneAsync(default);

        Assert.Null(await _store.GetAsync(Site("b")));
        Assert.Null(await _store.GetAsync(Site("c")));
        Assert.Equal(MissionStates.ClusterOffline, (await StatesAsync()).GetValueOrDefault("a/d"));
        Assert.DoesNotContain(await StatesAsync(), s => MissionStatus.IsUnder(s.Key, "a/b"));
    }

    [Fact]
    public async Task Heartbeat_ForgetRelayedFromBelow_DropsTheSiteObjectsOfThatSubtreeOnly()
    {
        // a is the grandparent here: b forgot its child c, and says so in its heartbeats.
        await _downlinks.ConnectAsync(Hello("b"), default);
        await _downlinks.HeartbeatAsync("a/b", _parent.Beat("b", "c"), default);
        Assert.NotNull(await _store.GetAsync(Site("c")));

        var beat = _parent.Beat("b");
        beat.Forgotten.Add(new ForgottenSite { Path = "a/b/c", ForgottenAtUnixMs = 1 });
        _time.Advance(Interval);
        await _downlinks.HeartbeatAsync("a/b", beat, default);

        Assert.Null(await _store.GetAsync(Site("c")));
        Assert.NotNull(await _store.GetAsync(Site("b")));
        Assert.Equal(["a/b/c"], _downlinks.Children.Single().Forgotten.Select(f => f.Path));
    }

    [Fact]
    public async Task DropSubtree_Repeated_IsIdempotent()
    {
        await TwoChildrenReportingAsync();
        await GoOfflineAsync("d");
        await _downlinks.ForgetAsync("b", "a/b", force: false, [], default);
        var rv = _store.ResourceVersion;

        // What each start does for every standing forget.
        var dropped = await _downlinks.DropSubtreeAsync(["a/b"], default);

        Assert.Empty(dropped);
        Assert.Equal(rv, _store.ResourceVersion);
    }

    /// <summary>b (with c below it) and d connected, heartbeating and reporting mission m.</summary>
    private async Task TwoChildrenReportingAsync()
    {
        await _store.CreateAsync(MissionJson());
        await _downlinks.ConnectAsync(Hello("b"), default);
        await _downlinks.ConnectAsync(Hello("d"), default);
        await _downlinks.HeartbeatAsync("a/b", _parent.Beat("b", "c"), default);
        await _downlinks.HeartbeatAsync("a/d", _parent.Beat("d"), default);
        await _downlinks.ReportAsync("a/b", Report(("a/b", MissionStates.NotMatch), ("a/b/c", MissionStates.Active)), default);
        await _downlinks.ReportAsync("a/d", Report(("a/d", MissionStates.Active)), default);
    }

    /// <summary>Every child but <paramref name="staying"/> misses its heartbeats; the pruner marks it offline.</summary>
    private async Task GoOfflineAsync(string staying)
    {
        _time.Advance(Interval * 3 + TimeSpan.FromSeconds(1));
        await _downlinks.HeartbeatAsync($"a/{staying}", _parent.Beat(staying), default);
        await _downlinks.PruneAsync(default);
        Assert.Equal(MissionStates.ClusterOffline, (await StatesAsync()).GetValueOrDefault("a/b"));
    }

    private async Task<Dictionary<string, string>> StatesAsync() => MissionStatus.States((await _store.GetAsync(Mission))!.Object);

    private static Hello Hello(string name) => new() { Name = name, Path = $"a/{name}", Incarnation = "1" };

    public ValueTask DisposeAsync() => _parent.DisposeAsync();
}
