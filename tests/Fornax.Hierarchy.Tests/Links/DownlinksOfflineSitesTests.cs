using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Fornax.Testing;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// How a parent shows an offline part of its subtree in its <c>Site</c> objects: the phase a deeper level gave a site
/// travels up (Offline, not Unknown), the pruner's Offline mark is written again until a pass manages to, and each
/// site of the offline subtree keeps its own last heartbeat. Real SQLite store, fake time.
/// </summary>
public sealed class DownlinksOfflineSitesTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TestParentSite.Interval;

    private InstrumentedStore? _store;
    private readonly TestParentSite _parent;

    public DownlinksOfflineSitesTests()
    {
        _parent = new TestParentSite(storeSeenByLinks: store => _store = new InstrumentedStore(store));
    }

    [Fact]
    public async Task Heartbeat_DeeperSiteOfflineBelow_ShownOfflineHereNotUnknown()
    {
        await _parent.Downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        var beat = _parent.Beat("b", "c", "d");
        // b's pruner declared c offline: b's heartbeat says so.
        var c = beat.Subtree.Single(s => s.Name == "c");
        c.Healthy = false;
        c.Phase = "Offline";

        await _parent.Downlinks.HeartbeatAsync("a/b", beat, default);

        Assert.Equal(("Offline", false), await PhaseAsync("c"));
        Assert.Equal(("Ready", true), await PhaseAsync("d"));
        Assert.Equal(("Ready", true), await PhaseAsync("b"));
    }

    [Fact]
    public async Task Heartbeat_UnhealthyWithoutPhase_StillUnknown()
    {
        await _parent.Downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        var beat = _parent.Beat("b", "c");
        beat.Subtree.Single(s => s.Name == "c").Healthy = false;

        await _parent.Downlinks.HeartbeatAsync("a/b", beat, default);

        Assert.Equal(("Unknown", false), await PhaseAsync("c"));
    }

    [Fact]
    public async Task Prune_SiteWriteFails_NextPassWritesOffline()
    {
        await _parent.Downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _parent.Downlinks.HeartbeatAsync("a/b", _parent.Beat("b", "c"), default);
        _parent.Time.Advance(Interval * 3 + TimeSpan.FromSeconds(1));

        _store!.Failing = true;
        var failed = await Assert.ThrowsAsync<StoreException>(() => _parent.Downlinks.PruneAsync(default));
        Assert.Equal(StoreErrorReason.StorageFull, failed.Reason);
        Assert.Equal(("Ready", true), await PhaseAsync("b"));

        _store.Failing = false;
        await _parent.Downlinks.PruneAsync(default);
        Assert.Equal(("Offline", false), await PhaseAsync("b"));
        Assert.Equal(("Offline", false), await PhaseAsync("c"));

        // Written once: a later pass leaves the Offline Sites alone.
        var written = (await _parent.Store.GetAsync(TestParentSite.Site("c")))!.ResourceVersion;
        _parent.Time.Advance(Interval);
        await _parent.Downlinks.PruneAsync(default);
        Assert.Equal(written, (await _parent.Store.GetAsync(TestParentSite.Site("c")))!.ResourceVersion);
    }

    [Fact]
    public async Task Prune_ChildOffline_DeeperSiteKeepsItsOwnLastHeartbeat()
    {
        await _parent.Downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        var beat = _parent.Beat("b", "c");
        // b last heard from c 20 s before b's own heartbeat (c's link to b was slow to be declared down, say).
        var cHeard = _parent.Time.GetUtcNow() - TimeSpan.FromSeconds(20);
        beat.Subtree.Single(s => s.Name == "c").LastHeartbeatUnixMs = cHeard.ToUnixTimeMilliseconds();
        await _parent.Downlinks.HeartbeatAsync("a/b", beat, default);
        var bHeard = _parent.Time.GetUtcNow();

        _parent.Time.Advance(Interval * 3 + TimeSpan.FromSeconds(1));
        await _parent.Downlinks.PruneAsync(default);

        Assert.Equal(bHeard, await LastHeartbeatAsync("b"));
        Assert.Equal(cHeard, await LastHeartbeatAsync("c"));
    }

    [Fact]
    public async Task Pruner_LooksSeveralTimesPerInterval_ChildOfflineWithinAQuarterIntervalOfTheLimit()
    {
        await _parent.Downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _parent.Downlinks.HeartbeatAsync("a/b", _parent.Beat("b"), default);
        using var stop = new CancellationTokenSource();
        var pruner = _parent.Downlinks.RunPrunerAsync(stop.Token);
        var quarter = Interval / 4;
        try
        {
            // 3 missed heartbeats are 15 s; the pruner looks every quarter interval, so at 16.25 s, not at its next
            // full pass (20 s). Each step waits for the look it causes, so every look sees its own time.
            await Poll.UntilAsync(() => _parent.Downlinks.PrunerLooks == 1, "the pruner's first pass");
            for (var look = 2; look <= 14; look++)
            {
                _parent.Time.Advance(quarter);
                await Poll.UntilAsync(() => _parent.Downlinks.PrunerLooks == look, $"the pruner's look at {quarter * (look - 1)}");
            }

            await Poll.UntilAsync(async () => await PhaseAsync("b") == ("Offline", false), $"b Offline at {Interval * 3 + quarter} after its last heartbeat",
                TimeSpan.FromSeconds(10), async () => (await PhaseAsync("b")).ToString());
        }
        finally
        {
            await stop.CancelAsync();
            await pruner;
        }
    }

    private async Task<(string Phase, bool Healthy)> PhaseAsync(string name)
    {
        var status = (await _parent.Store.GetAsync(TestParentSite.Site(name)))!.Object["status"]!;
        return (status["phase"]!.GetValue<string>(), status["healthy"]!.GetValue<bool>());
    }

    private async Task<DateTimeOffset> LastHeartbeatAsync(string name) =>
        DateTimeOffset.Parse((await _parent.Store.GetAsync(TestParentSite.Site(name)))!.Object["status"]!["lastHeartbeat"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => _parent.DisposeAsync();
}
