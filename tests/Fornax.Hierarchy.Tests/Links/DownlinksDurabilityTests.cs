using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using MissionStatus = Fornax.Hierarchy.Links.MissionStatus;
using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using static Fornax.Hierarchy.Tests.Links.TestParentSite;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// What a parent writes because of its children is derived, so it does not fsync: state roll-ups from reports and
/// <c>Site</c> objects from heartbeats. A <c>cluster offline</c> mark does. Counted by the real store's commits.
/// </summary>
public sealed class DownlinksDurabilityTests : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TestParentSite.Interval;
    private static readonly ObjectKey Mission = new("Mission", "default", "m");

    private readonly TestParentSite _parent = new();
    private readonly FakeTimeProvider _time;
    private readonly IObjectStore _store;
    private readonly Downlinks _downlinks;

    public DownlinksDurabilityTests()
    {
        _time = _parent.Time;
        _store = _parent.Store;
        _downlinks = _parent.Downlinks;
    }

    [Fact]
    public async Task Report_FromChild_RolledUpWithoutSync()
    {
        await CreateMissionAsync();
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        var before = _store.CommitCounts;

        await _downlinks.ReportAsync("a/b", Report(("a/b", MissionStates.NotMatch), ("a/b/c", MissionStates.Active)), default);

        Assert.Equal(new StoreCommitCounts(before.Commits + 1, before.SyncedCommits), _store.CommitCounts);
        var states = MissionStatus.States((await _store.GetAsync(Mission))!.Object);
        Assert.Equal(MissionStates.Active, states["a/b/c"]);
        Assert.Equal(MissionStates.NotMatch, states["a/b"]);
    }

    [Fact]
    public async Task Heartbeat_SiteWrittenWithoutSync()
    {
        // A fresh store has no versions reserved for relaxed writes until its first durable commit.
        await CreateMissionAsync();
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        var before = _store.CommitCounts;

        await _downlinks.HeartbeatAsync("a/b", Beat(), default);

        Assert.NotNull(await _store.GetAsync(new ObjectKey("Site", "default", "b")));
        Assert.True(_store.CommitCounts.Commits > before.Commits);
        Assert.Equal(before.SyncedCommits, _store.CommitCounts.SyncedCommits);
    }

    [Fact]
    public async Task Prune_ChildOffline_MarkSynced()
    {
        await CreateMissionAsync();
        await _downlinks.ConnectAsync(new Hello { Name = "b", Path = "a/b", Incarnation = "1" }, default);
        await _downlinks.HeartbeatAsync("a/b", Beat(), default);
        await _downlinks.ReportAsync("a/b", Report(("a/b", MissionStates.Active)), default);
        var before = _store.CommitCounts;

        _time.Advance(Interval * 3 + TimeSpan.FromSeconds(1));
        await _downlinks.PruneAsync(default);

        // The Site's Offline mark and the mission's cluster offline mark each fsync; this site's own Site does not.
        Assert.Equal(MissionStates.ClusterOffline, MissionStatus.States((await _store.GetAsync(Mission))!.Object)["a/b"]);
        Assert.True(_store.CommitCounts.SyncedCommits >= before.SyncedCommits + 2, $"{_store.CommitCounts} after {before}");
    }

    private Task<StoredObject> CreateMissionAsync() =>
        _store.CreateAsync(JsonNode.Parse("""{"apiVersion": "fornax.io/v1", "kind": "Mission", "metadata": {"name": "m"}, "spec": {}}""")!.AsObject());

    private Heartbeat Beat()
    {
        var beat = new Heartbeat { Sequence = 1, Healthy = true };
        beat.Subtree.Add(new SiteSummary
        {
            Name = "b",
            Path = "a/b",
            Parent = "a",
            Tier = "edge",
            Healthy = true,
            LastHeartbeatUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds(),
        });
        return beat;
    }

    public ValueTask DisposeAsync() => _parent.DisposeAsync();
}
