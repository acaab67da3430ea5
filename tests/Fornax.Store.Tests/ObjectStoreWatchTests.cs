using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Fornax.Store.Tests;

public sealed class ObjectStoreWatchTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Watch_FromZero_ReplaysEveryChangeWithTypesThenStreamsLive()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));
        await store.UpdateAsync(TestObjects.Mission("m1", replicas: 2));
        await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });
        await using var watch = new WatchCollector(store, 0);

        await store.DeleteAsync(TestObjects.MissionKey("m1"));
        var events = await watch.WaitFor(e => e.Count >= 4);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.ResourceVersion));
        Assert.All(events, e => Assert.Equal(e.ResourceVersion, e.Object.ResourceVersion));
        Assert.All(events, e => Assert.Equal(e.ResourceVersion, (long)e.Object.Object["metadata"]!["resourceVersion"]!));
        Assert.Equal([1L, 2L, 2L, 2L], events.Select(e => e.Object.Generation));
        Assert.Equal("Ready", (string?)events[3].Object.Object["status"]!["phase"]);
    }

    [Fact]
    public async Task Watch_FilteredByKindAndNamespace_SeesOnlyMatches()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));
        await store.CreateAsync(TestObjects.ConfigMap("cm1", "a"));
        await using var configMaps = new WatchCollector(store, 0, kind: "ConfigMap");
        await using var other = new WatchCollector(store, 0, @namespace: "other");

        await store.CreateAsync(TestObjects.Mission("m2", @namespace: "other"));
        await store.UpdateAsync(TestObjects.ConfigMap("cm1", "b"));

        var cm = await configMaps.WaitFor(e => e.Count >= 2);
        var ns = await other.WaitFor(e => e.Count >= 1);
        Assert.Equal([2L, 4L], cm.Select(e => e.ResourceVersion));
        Assert.Equal([3L], ns.Select(e => e.ResourceVersion));
    }

    [Fact]
    public async Task Watch_FromMidwayWithConcurrentWriters_SeesEveryLaterChangeExactlyOnceInOrder()
    {
        using var store = TestObjects.Open(_dir.Path);
        const int writers = 4;
        const int writesPerWriter = 200;
        var committed = new ConcurrentBag<long>();
        var midway = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < writesPerWriter; i++)
            {
                var name = $"w{w}-{i % 7}";
                StoredObject written = (i % 5) switch
                {
                    4 when i >= 7 => await store.DeleteAsync(TestObjects.MissionKey(name)),
                    3 when i >= 7 => await store.UpdateStatusAsync(TestObjects.MissionKey(name), new JsonObject { ["i"] = i }),
                    _ => (await store.ApplyAsync(TestObjects.Mission(name, replicas: i))).Object,
                };
                committed.Add(written.ResourceVersion);
                if (w == 0 && i == writesPerWriter / 4)
                    midway.TrySetResult(written.ResourceVersion);
            }
        })).ToArray();

        var from = await midway.Task;
        await using var watch = new WatchCollector(store, from);
        await Task.WhenAll(tasks);
        var total = writers * writesPerWriter;
        var events = await watch.WaitFor(e => e.Count > 0 && e[^1].ResourceVersion >= total);

        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), committed.Order());
        Assert.Equal(committed.Where(rv => rv > from).Order(), events.Select(e => e.ResourceVersion));
    }

    [Fact]
    public async Task Watch_LongHistoryWhileWriting_PagesThroughWithoutGapsOrDuplicates()
    {
        using var store = TestObjects.Open(_dir.Path);
        for (var i = 0; i < 1_100; i++)
            await store.ApplyAsync(TestObjects.ConfigMap($"cm{i % 50}", i.ToString()));
        await using var watch = new WatchCollector(store, 0);
        for (var i = 0; i < 100; i++)
            await store.ApplyAsync(TestObjects.ConfigMap($"cm{i % 50}", $"late{i}"));

        var events = await watch.WaitFor(e => e.Count > 0 && e[^1].ResourceVersion >= 1_200);

        Assert.Equal(Enumerable.Range(1, 1_200).Select(i => (long)i), events.Select(e => e.ResourceVersion));
    }

    [Fact]
    public async Task Watch_FromCompactedVersion_ThrowsGone()
    {
        using var store = TestObjects.Open(_dir.Path, watchHistory: 5);
        for (var i = 0; i < 10; i++)
            await store.CreateAsync(TestObjects.Mission($"m{i}"));

        var e = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            await foreach (var _ in store.WatchAsync(4))
            {
            }
        });

        Assert.Equal(StoreErrorReason.Gone, e.Reason);
        Assert.Equal(410, e.StatusCode);
        Assert.Contains("compacted", e.Message);
    }

    [Fact]
    public async Task Watch_FromOldestKeptVersion_ReplaysTheKeptHistory()
    {
        using var store = TestObjects.Open(_dir.Path, watchHistory: 5);
        for (var i = 0; i < 10; i++)
            await store.CreateAsync(TestObjects.Mission($"m{i}"));
        await using var watch = new WatchCollector(store, 5);

        var events = await watch.WaitFor(e => e.Count >= 5);

        Assert.Equal([6L, 7L, 8L, 9L, 10L], events.Select(e => e.ResourceVersion));
    }

    [Fact]
    public async Task Watch_FromFutureVersion_ThrowsGone()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));

        var e = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            await foreach (var _ in store.WatchAsync(100))
            {
            }
        });

        Assert.Equal(StoreErrorReason.Gone, e.Reason);
        Assert.Contains("only at 1", e.Message);
    }

    [Fact]
    public async Task Watch_SlowWatcherOverflows_WritersNotBlockedAndWatcherEndsWithGone()
    {
        using var store = TestObjects.Open(_dir.Path, watchBuffer: 4);
        await using var events = store.WatchAsync(0).GetAsyncEnumerator();
        // The first MoveNext catches up (nothing yet), subscribes, and waits for live changes.
        var first = events.MoveNextAsync();

        for (var i = 0; i < 10; i++)
            await store.CreateAsync(TestObjects.Mission($"m{i}")); // completes although nobody reads

        Assert.True(await first);
        var seen = new List<long> { events.Current.ResourceVersion };
        var e = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            while (await events.MoveNextAsync())
                seen.Add(events.Current.ResourceVersion);
        });
        Assert.Equal(StoreErrorReason.Gone, e.Reason);
        Assert.Contains("behind", e.Message);
        // The buffer holds 4; the reader may have taken one more before it stopped reading.
        Assert.InRange(seen.Count, 4, 5);
        Assert.Equal(Enumerable.Range(1, seen.Count).Select(i => (long)i), seen);
        Assert.Equal(10, store.ResourceVersion);
    }

    [Fact]
    public async Task Watch_StoreDisposed_EndsWithObjectDisposed()
    {
        var store = TestObjects.Open(_dir.Path);
        await using var events = store.WatchAsync(0).GetAsyncEnumerator();
        var next = events.MoveNextAsync();

        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await next);
    }

    [Fact]
    public async Task Watch_Cancelled_EndsWithOperationCanceled()
    {
        using var store = TestObjects.Open(_dir.Path);
        using var cts = new CancellationTokenSource();
        await using var events = store.WatchAsync(0, ct: cts.Token).GetAsyncEnumerator();
        var next = events.MoveNextAsync();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await next);
    }
}
