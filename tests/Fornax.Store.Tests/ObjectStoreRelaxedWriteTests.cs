using System.Text.Json.Nodes;
using Fornax.Testing;
using Microsoft.Data.Sqlite;

namespace Fornax.Store.Tests;

/// <summary>
/// <see cref="WriteDurability.Relaxed"/> writes: the same versions, reads and watches as durable ones; a group commit of
/// relaxed writes alone does not fsync, one with a durable write does. The counts are the store's
/// <see cref="IObjectStore.CommitCounts"/>, taken from the <c>synchronous</c> setting SQLite reports for each commit.
/// </summary>
public sealed class ObjectStoreRelaxedWriteTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RelaxedWrites_InterleavedWithDurable_ReadBackAndWatchedInOneVersionSequence()
    {
        using (var store = TestObjects.Open(_dir.Path))
        {
            await using var watch = new WatchCollector(store, 0);
            await store.CreateAsync(TestObjects.Mission("m1"));                                                       // 1
            await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), State("a"), null, WriteDurability.Relaxed);  // 2
            await store.ApplyAsync(TestObjects.ConfigMap("c1", "x"), WriteDurability.Relaxed);                       // 3
            await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), State("b"), 2, WriteDurability.Relaxed);     // 4
            await store.ApplyAsync(TestObjects.ConfigMap("c1", "y"));                                                // 5
            var (unchanged, outcome) = await store.ApplyAsync(TestObjects.ConfigMap("c1", "y"), WriteDurability.Relaxed);
            await store.DeleteAsync(new ObjectKey("ConfigMap", "default", "c1"));                                    // 6

            var events = await watch.WaitFor(e => e.Count >= 6);
            Assert.Equal(ApplyOutcome.Unchanged, outcome);
            Assert.Equal(5, unchanged.ResourceVersion);
            Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], events.Select(e => e.ResourceVersion));
            Assert.Equal(
                [WatchEventType.Added, WatchEventType.Modified, WatchEventType.Added, WatchEventType.Modified, WatchEventType.Modified, WatchEventType.Deleted],
                events.Select(e => e.Type));
            Assert.Equal("b", (string?)events[3].Object.Object["status"]!["state"]);
            var m1 = await store.GetAsync(TestObjects.MissionKey("m1"));
            Assert.Equal(4, m1!.ResourceVersion);
            Assert.Equal("b", (string?)m1.Object["status"]!["state"]);
            Assert.Equal(6, store.ResourceVersion);
        }

        // A clean close gives the reserved versions back: the sequence continues without a gap.
        using var reopened = TestObjects.Open(_dir.Path);
        Assert.Equal(6, reopened.ResourceVersion);
        Assert.Equal("b", (string?)(await reopened.GetAsync(TestObjects.MissionKey("m1")))!.Object["status"]!["state"]);
        await using var history = new WatchCollector(reopened, 1);
        Assert.Equal([2L, 3L, 4L, 5L, 6L], (await history.WaitFor(e => e.Count >= 5)).Select(e => e.ResourceVersion));
        Assert.Equal(7, (await reopened.CreateAsync(TestObjects.Mission("m2"))).ResourceVersion);
    }

    [Fact]
    public async Task RelaxedWrite_Alone_CommitsWithoutSync()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));
        Assert.Equal(new StoreCommitCounts(1, 1), store.CommitCounts);

        await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), State("a"), null, WriteDurability.Relaxed);
        await store.ApplyAsync(TestObjects.ConfigMap("c1", "x"), WriteDurability.Relaxed);

        Assert.Equal(new StoreCommitCounts(3, 1), store.CommitCounts);
    }

    [Fact]
    public async Task Batch_OnlyRelaxedWrites_DoesNotSync()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));
        var before = store.CommitCounts;

        var (first, batch) = await InOneBatchAfterAsync(store,
            async () => (await store.CreateAsync(TestObjects.Mission("first"))).ResourceVersion,
            async () => (await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), State("a"), null, WriteDurability.Relaxed)).ResourceVersion,
            async () => (await store.ApplyAsync(TestObjects.ConfigMap("c1", "x"), WriteDurability.Relaxed)).Object.ResourceVersion);

        // The durable create committed (and synced) alone; the two relaxed writes shared the next commit, unsynced.
        Assert.Equal(before.Commits + 2, store.CommitCounts.Commits);
        Assert.Equal(before.SyncedCommits + 1, store.CommitCounts.SyncedCommits);
        Assert.Equal([first + 1, first + 2], batch.Order());
    }

    [Fact]
    public async Task Batch_RelaxedAndDurableWrites_Syncs()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));
        var before = store.CommitCounts;

        var (first, batch) = await InOneBatchAfterAsync(store,
            async () => (await store.CreateAsync(TestObjects.Mission("first"))).ResourceVersion,
            async () => (await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), State("a"), null, WriteDurability.Relaxed)).ResourceVersion,
            async () => (await store.ApplyAsync(TestObjects.ConfigMap("c1", "x"))).Object.ResourceVersion);

        Assert.Equal(before.Commits + 2, store.CommitCounts.Commits);
        Assert.Equal(before.SyncedCommits + 2, store.CommitCounts.SyncedCommits);
        Assert.Equal([first + 1, first + 2], batch.Order());
    }

    [Fact]
    public async Task DurableApply_UnchangedSinceRelaxedWrite_SyncsIt()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.ApplyAsync(TestObjects.ConfigMap("c1", "x"));
        await store.ApplyAsync(TestObjects.ConfigMap("c2", "x"), WriteDurability.Relaxed);
        Assert.Equal(new StoreCommitCounts(2, 1), store.CommitCounts);

        // c1 is on disk: acknowledging it unchanged needs no commit at all, relaxed writes pending or not.
        var (_, c1) = await store.ApplyAsync(TestObjects.ConfigMap("c1", "x"));
        Assert.Equal(ApplyOutcome.Unchanged, c1);
        Assert.Equal(new StoreCommitCounts(2, 1), store.CommitCounts);

        // c2 is not: acknowledged as durable, it must be on disk first.
        var (_, c2) = await store.ApplyAsync(TestObjects.ConfigMap("c2", "x"));
        Assert.Equal(ApplyOutcome.Unchanged, c2);
        Assert.Equal(new StoreCommitCounts(3, 2), store.CommitCounts);
        Assert.Equal(2, store.ResourceVersion);

        // Now it is; and a relaxed write that changes nothing never commits.
        await store.ApplyAsync(TestObjects.ConfigMap("c2", "x"));
        await store.UpdateStatusAsync(new ObjectKey("ConfigMap", "default", "c2"), null, null, WriteDurability.Relaxed);
        Assert.Equal(new StoreCommitCounts(3, 2), store.CommitCounts);
    }

    [Fact]
    public async Task RelaxedWrites_BeyondTheReservation_Sync()
    {
        using var store = TestObjects.Open(_dir.Path);
        await store.CreateAsync(TestObjects.Mission("m1"));

        // Relaxed writes may use the versions the last synced commit reserved, and no more.
        for (var i = 0; i < SqliteObjectStore.ReservedVersions; i += 256)
        {
            await Task.WhenAll(Enumerable.Range(i, (int)Math.Min(256, SqliteObjectStore.ReservedVersions - i))
                .Select(n => store.ApplyAsync(TestObjects.ConfigMap($"c{n}", "x"), WriteDurability.Relaxed)));
        }

        Assert.Equal(1 + SqliteObjectStore.ReservedVersions, store.ResourceVersion);
        Assert.Equal(1, store.CommitCounts.SyncedCommits);
        await store.ApplyAsync(TestObjects.ConfigMap("one-more", "x"), WriteDurability.Relaxed);
        Assert.Equal(2, store.CommitCounts.SyncedCommits);
    }

    [Fact]
    public async Task RelaxedWrites_BadInput_ErrorAndChangeNothing()
    {
        using var store = TestObjects.Open(_dir.Path);
        var m1 = await store.CreateAsync(TestObjects.Mission("m1"));
        await store.UpdateStatusAsync(m1.Key, State("a"), null, WriteDurability.Relaxed);
        var before = (store.ResourceVersion, store.CommitCounts, (await store.GetAsync(m1.Key))!.Object.ToJsonString());

        var invalid = await Assert.ThrowsAsync<StoreException>(() =>
            store.UpdateStatusAsync(m1.Key, JsonValue.Create("up"), null, WriteDurability.Relaxed));
        var conflict = await Assert.ThrowsAsync<StoreException>(() =>
            store.UpdateStatusAsync(m1.Key, State("b"), 1, WriteDurability.Relaxed));
        var stale = await Assert.ThrowsAsync<StoreException>(() =>
            store.ApplyAsync(TestObjects.Mission("m1", replicas: 3, resourceVersion: 1), WriteDurability.Relaxed));
        var missing = await Assert.ThrowsAsync<StoreException>(() =>
            store.UpdateStatusAsync(TestObjects.MissionKey("nope"), State("b"), null, WriteDurability.Relaxed));
        var unnamed = await Assert.ThrowsAsync<StoreException>(() =>
            store.ApplyAsync(new JsonObject { ["kind"] = "ConfigMap", ["metadata"] = new JsonObject() }, WriteDurability.Relaxed));
        var unknown = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            store.UpdateStatusAsync(m1.Key, State("b"), null, (WriteDurability)7));

        Assert.Equal(StoreErrorReason.Invalid, invalid.Reason);
        Assert.Equal(StoreErrorReason.Conflict, conflict.Reason);
        Assert.Equal(StoreErrorReason.Conflict, stale.Reason);
        Assert.Equal(StoreErrorReason.NotFound, missing.Reason);
        Assert.Contains("durability", unknown.Message);
        Assert.Equal(StoreErrorReason.Invalid, unnamed.Reason);
        Assert.Equal(before, (store.ResourceVersion, store.CommitCounts, (await store.GetAsync(m1.Key))!.Object.ToJsonString()));
    }

    private static JsonObject State(string state) => new() { ["state"] = state };

    /// <summary>
    /// Runs <paramref name="first"/> as a batch of its own, held up inside its transaction (another connection holds
    /// SQLite's write lock), queues <paramref name="others"/> behind it, then lets go: the others commit together, as one
    /// batch. Returns the version of the first write and those of the others.
    /// </summary>
    private async Task<(long First, long[] Batch)> InOneBatchAfterAsync(IObjectStore store, Func<Task<long>> first, params Func<Task<long>>[] others)
    {
        var sqlite = (SqliteObjectStore)store;
        using var blocker = new SqliteConnection($"Data Source={Path.Combine(_dir.Path, "objects.db")};Pooling=False");
        blocker.Open();
        using var hold = blocker.BeginTransaction(); // BEGIN IMMEDIATE: SQLite's write lock, until rolled back
        var firstWrite = Task.Run(first);
        // The gate is taken after the write is queued and the batch empties the queue: both seen means it is running.
        await Poll.UntilAsync(() => sqlite.WriteInProgress && sqlite.QueuedWrites == 0, "the first write in progress with none queued", s_deadline);
        var started = others.Select(Task.Run).ToArray();
        await Poll.UntilAsync(() => sqlite.QueuedWrites == others.Length, "every other write to queue", s_deadline);
        hold.Rollback();
        return (await firstWrite, await Task.WhenAll(started));
    }}
