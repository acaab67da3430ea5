using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Store;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// A site's own mission counts (received, Active here), as its heartbeat and its own <c>Site</c> carry them: right after
/// every kind of mission change, and not listed again while the spec-change index has seen no change. Real SQLite store
/// and a running <see cref="Fornax.Hierarchy.Links.MissionIndex"/>.
/// </summary>
public sealed class OwnMissionCountsTests : IAsyncDisposable
{
    private InstrumentedStore? _seen;
    private readonly TestParentSite _parent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _index;

    public OwnMissionCountsTests()
    {
        _parent = new TestParentSite(storeSeenByLinks: store => _seen = new InstrumentedStore(store), withIndex: true);
        _index = _parent.Index!.RunAsync(_stop.Token);
    }

    [Fact]
    public async Task Counts_FollowCreateStateAndDelete_AndAreNotListedAgainWhileNothingChanged()
    {
        Assert.Equal((0, 0), await CountsAfterIndexCaughtUpAsync());

        await _parent.Store.ApplyAsync(TestParentSite.MissionJson("m1"));
        await _parent.Store.ApplyAsync(TestParentSite.MissionJson("m2"));
        Assert.Equal((2, 0), await CountsAfterIndexCaughtUpAsync());

        await _parent.Store.UpdateStatusAsync(new ObjectKey("Mission", "default", "m1"), new JsonObject { ["state"] = new JsonObject { ["a"] = MissionStates.Active, ["a/b"] = MissionStates.Active } });
        await _parent.Store.UpdateStatusAsync(new ObjectKey("Mission", "default", "m2"), new JsonObject { ["state"] = new JsonObject { ["a/b"] = MissionStates.Active } });
        Assert.Equal((2, 1), await CountsAfterIndexCaughtUpAsync());

        // Nothing changed: the cached counts, no list.
        var lists = _seen!.MissionLists;
        Assert.Equal((2, 1), await _parent.Downlinks.OwnMissionCountsAsync(default));
        Assert.Equal((2, 1), await _parent.Downlinks.OwnMissionCountsAsync(default));
        Assert.Equal(lists, _seen.MissionLists);

        await _parent.Store.DeleteAsync(new ObjectKey("Mission", "default", "m1"));
        Assert.Equal((1, 0), await CountsAfterIndexCaughtUpAsync());
        Assert.Equal(lists + 1, _seen.MissionLists);
    }

    [Fact]
    public async Task Counts_WithoutIndex_ListedEachTime()
    {
        InstrumentedStore? seen = null;
        await using var plain = new TestParentSite(storeSeenByLinks: store => seen = new InstrumentedStore(store));
        await plain.Store.ApplyAsync(TestParentSite.MissionJson("m1"));

        Assert.Equal((1, 0), await plain.Downlinks.OwnMissionCountsAsync(default));
        Assert.Equal((1, 0), await plain.Downlinks.OwnMissionCountsAsync(default));
        Assert.Equal(2, seen!.MissionLists);
    }

    /// <summary>Waits until the index has seen every write so far (it follows the store's watch), then counts.</summary>
    private async Task<(int, int)> CountsAfterIndexCaughtUpAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (_parent.Index!.ResourceVersion < _parent.Store.ResourceVersion)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the index stayed at {_parent.Index.ResourceVersion}, the store is at {_parent.Store.ResourceVersion}");
            await Task.Delay(5);
        }

        return await _parent.Downlinks.OwnMissionCountsAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _index;
        _stop.Dispose();
        await _parent.DisposeAsync();
    }
}
