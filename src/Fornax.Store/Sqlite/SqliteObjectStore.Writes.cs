using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Fornax.Store;

internal sealed partial class SqliteObjectStore
{
    public Task<StoredObject> CreateAsync(JsonObject obj, CancellationToken ct = default)
    {
        var (key, _) = ObjectDocument.Parse(obj);
        return WriteAsync(key, WriteDurability.Durable, transaction =>
        {
            if (ReadRow(Writer, transaction, key) is not null)
                StoreErrors.AlreadyExists(key);
            return Insert(transaction, key, obj);
        }, ct);
    }

    public Task<StoredObject> UpdateAsync(JsonObject obj, CancellationToken ct = default)
    {
        var (key, expected) = ObjectDocument.Parse(obj);
        return WriteAsync(key, WriteDurability.Durable, transaction =>
        {
            var row = ReadRow(Writer, transaction, key);
            if (row is null)
                StoreErrors.NotFound(key);
            CheckPrecondition(key, row, expected);
            return Replace(transaction, key, row, obj, WriteDurability.Durable).Object;
        }, ct);
    }

    public Task<(StoredObject Object, ApplyOutcome Outcome)> ApplyAsync(JsonObject obj, WriteDurability durability, CancellationToken ct = default)
    {
        var (key, expected) = ObjectDocument.Parse(obj);
        return WriteAsync(key, durability, transaction =>
        {
            var row = ReadRow(Writer, transaction, key);
            if (row is null && expected is long gone)
                StoreErrors.ConflictMissing(key, gone);
            if (row is null)
                return (Insert(transaction, key, obj), ApplyOutcome.Created);
            CheckPrecondition(key, row, expected);
            var (result, changed) = Replace(transaction, key, row, obj, durability);
            return (result, changed ? ApplyOutcome.Configured : ApplyOutcome.Unchanged);
        }, ct);
    }

    public Task<StoredObject> UpdateStatusAsync(ObjectKey key, JsonNode? status, long? expectedResourceVersion, WriteDurability durability, CancellationToken ct = default)
    {
        key = ObjectDocument.NormalizeKey(key);
        if (status is not null and not JsonObject)
            StoreErrors.Invalid($"{key}: status must be an object, got {status.ToJsonString()}");
        return WriteAsync(key, durability, transaction =>
        {
            var row = ReadRow(Writer, transaction, key);
            if (row is null)
                StoreErrors.NotFound(key);
            CheckPrecondition(key, row, expectedResourceVersion);
            var doc = row.Document;
            if (JsonNode.DeepEquals(doc["status"], status))
                return Unchanged(key, row, durability);
            // Remove then add, so status stays the last property.
            doc.Remove("status");
            if (status is not null)
                doc["status"] = status.DeepClone();
            return Commit(transaction, WatchEventType.Modified, key, row.Generation, doc);
        }, ct);
    }

    public Task<StoredObject> DeleteAsync(ObjectKey key, long? expectedResourceVersion = null, CancellationToken ct = default)
    {
        key = ObjectDocument.NormalizeKey(key);
        return WriteAsync(key, WriteDurability.Durable, transaction =>
        {
            var row = ReadRow(Writer, transaction, key);
            if (row is null)
                StoreErrors.NotFound(key);
            CheckPrecondition(key, row, expectedResourceVersion);
            return Commit(transaction, WatchEventType.Deleted, key, row.Generation, row.Document);
        }, ct);
    }

    private StoredObject Insert(SqliteTransaction transaction, ObjectKey key, JsonObject obj)
    {
        // Status is not taken on create, as in Kubernetes: it is the controller's, via UpdateStatus.
        var doc = ObjectDocument.Build(
            obj, key,
            uid: Guid.NewGuid().ToString(),
            creationTimestamp: ObjectDocument.FormatTimestamp(_options.TimeProvider.GetUtcNow()),
            resourceVersion: 0, // stamped by Commit
            generation: 1,
            status: null);
        return Commit(transaction, WatchEventType.Added, key, 1, doc);
    }

    /// <summary>Replaces everything but status; writes nothing when the result equals what is stored.</summary>
    private (StoredObject Object, bool Changed) Replace(SqliteTransaction transaction, ObjectKey key, StoredRow row, JsonObject obj, WriteDurability durability)
    {
        var stored = row.Document;
        var generation = ObjectDocument.SameDesiredState(stored, obj) ? row.Generation : row.Generation + 1;
        var candidate = ObjectDocument.Build(
            obj, key,
            ObjectDocument.Uid(stored),
            ObjectDocument.CreationTimestamp(stored),
            row.ResourceVersion,
            generation,
            stored["status"]);
        if (JsonNode.DeepEquals(candidate, stored))
            return (Unchanged(key, row, durability), false);
        return (Commit(transaction, WatchEventType.Modified, key, generation, candidate), true);
    }

    private static void CheckPrecondition(ObjectKey key, StoredRow row, long? expected)
    {
        if (expected is long value && value != row.ResourceVersion)
            StoreErrors.Conflict(key, value, row.ResourceVersion);
    }

    /// <summary>
    /// Takes the next resourceVersion, writes the object and its change-log row and compacts the log,
    /// inside the batch's transaction. The batch publishes to watchers only after it commits.
    /// </summary>
    private StoredObject Commit(SqliteTransaction transaction, WatchEventType type, ObjectKey key, long generation, JsonObject doc)
    {
        var resourceVersion = _stagedResourceVersion + 1;
        ObjectDocument.StampResourceVersion(doc, resourceVersion);
        var json = doc.ToJsonString();

        using (var command = Writer.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = type == WatchEventType.Deleted
                ? "DELETE FROM objects WHERE kind = $kind AND namespace = $ns AND name = $name;"
                : """
                  INSERT INTO objects (kind, namespace, name, rv, generation, json) VALUES ($kind, $ns, $name, $rv, $gen, $json)
                  ON CONFLICT (kind, namespace, name) DO UPDATE SET rv = excluded.rv, generation = excluded.generation, json = excluded.json;
                  """;
            command.CommandText +=
                """
                INSERT INTO changes (rv, type, kind, namespace, name, generation, json) VALUES ($rv, $type, $kind, $ns, $name, $gen, $json);
                UPDATE meta SET value = $rv WHERE key = 'resourceVersion';
                """;
            command.Parameters.AddWithValue("$kind", key.Kind);
            command.Parameters.AddWithValue("$ns", key.Namespace);
            command.Parameters.AddWithValue("$name", key.Name);
            command.Parameters.AddWithValue("$rv", resourceVersion);
            command.Parameters.AddWithValue("$gen", generation);
            command.Parameters.AddWithValue("$type", (int)type);
            command.Parameters.AddWithValue("$json", json);
            command.ExecuteNonQuery();
        }

        // The log holds one row per version, so keeping the last WatchHistory rows is a range delete.
        var compactThrough = Math.Max(_stagedCompactedThrough, resourceVersion - _options.WatchHistory);
        if (compactThrough > _stagedCompactedThrough)
        {
            using var command = Writer.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM changes WHERE rv <= $through;
                UPDATE meta SET value = $through WHERE key = 'compactedThrough';
                """;
            command.Parameters.AddWithValue("$through", compactThrough);
            command.ExecuteNonQuery();
        }

        _stagedResourceVersion = resourceVersion;
        _stagedCompactedThrough = compactThrough;
        _batchChanges.Add(new ChangeRecord(resourceVersion, type, key, generation, json));
        return new StoredObject(key, resourceVersion, generation, doc);
    }

    /// <summary>
    /// Group commit: the write joins a queue, and whoever holds the write gate runs every queued write in
    /// ONE transaction — one fsync for the lot, none when every write of it is relaxed — each inside its own
    /// savepoint, so a write that fails (conflict, not found) rolls back alone. A write is acknowledged only
    /// after its batch committed; if the commit fails, every write of the batch fails and none is acknowledged.
    /// </summary>
    private async Task<T> WriteAsync<T>(ObjectKey key, WriteDurability durability, Func<SqliteTransaction, T> work, CancellationToken ct)
    {
        ThrowIfDisposed();
        ct.ThrowIfCancellationRequested();
        if (!Enum.IsDefined(durability))
            throw new ArgumentOutOfRangeException(nameof(durability), durability, $"{nameof(durability)}: {durability} is not a {nameof(WriteDurability)}");
        var write = new PendingWrite(key, durability, transaction => work(transaction));
        _pending.Enqueue(write);
        // Not cancellable once queued: another writer may already be running this write in its batch.
        await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!write.Done.Task.IsCompleted)
                RunBatch();
        }
        finally
        {
            _writeGate.Release();
            Announce();
        }

        return (T)(await write.Done.Task.ConfigureAwait(false))!;
    }

    /// <summary>Runs the queued writes as one transaction. Called with the write gate held.</summary>
    private void RunBatch()
    {
        var batch = new List<PendingWrite>();
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var queued))
            batch.Add(queued);
        if (Volatile.Read(ref _disposed) != 0)
        {
            foreach (var write in batch)
                write.Done.TrySetException(new ObjectDisposedException(nameof(IObjectStore), $"the object store in {_directory} was closed"));
            return;
        }

        if (_writer is null || DatabaseLost())
        {
            foreach (var write in batch)
                write.Done.TrySetException(ReadOnlyRefusal(write.Key));
            return;
        }

        var results = new object?[batch.Count];
        var errors = new Exception?[batch.Count];
        _stagedResourceVersion = _resourceVersion;
        _stagedCompactedThrough = _compactedThrough;
        _batchChanges.Clear();
        var synced = false;
        long? reserved = null;
        _confirmsUnsynced = false;
        try
        {
            SetSynchronous(NeedsSync(batch));
            synced = _synchronousFull;
            using var transaction = Writer.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                var (rv, compacted, changes) = (_stagedResourceVersion, _stagedCompactedThrough, _batchChanges.Count);
                transaction.Save("write");
                try
                {
                    results[i] = batch[i].Work(transaction);
                    transaction.Release("write");
                }
                catch (StoreException e)
                {
                    // A refused write (conflict, not found, invalid) is undone alone. A SQLite failure
                    // (disk full, I/O) is not caught here: SQLite may have ended the transaction, so the
                    // whole batch fails below and none of it is acknowledged.
                    transaction.Rollback("write");
                    transaction.Release("write");
                    (_stagedResourceVersion, _stagedCompactedThrough) = (rv, compacted);
                    _batchChanges.RemoveRange(changes, _batchChanges.Count - changes);
                    errors[i] = Map(e, batch[i].Key);
                }
            }

            if (synced)
                reserved = Reserve(transaction);
            transaction.Commit();
            Committed(synced, reserved);
        }
        catch (Exception e)
        {
            // Nothing of this batch is durable: fail every write that had not failed on its own.
            var outOfSpace = e is SqliteException sqlite && IsOutOfSpace(sqlite, _directory);
            for (var i = 0; i < batch.Count; i++)
                errors[i] ??= outOfSpace ? OutOfSpace(batch[i].Key, (SqliteException)e) : Map(e, batch[i].Key);
            if (outOfSpace)
                EnterReadOnly(); // the disk is full, not the database's size cap: refuse writes until it has room
            _batchChanges.Clear();
            _stagedResourceVersion = _resourceVersion;
            _stagedCompactedThrough = _compactedThrough;
        }

        Volatile.Write(ref _resourceVersion, _stagedResourceVersion);
        Volatile.Write(ref _compactedThrough, _stagedCompactedThrough);
        foreach (var change in _batchChanges)
            _hub.Publish(change);
        _batchChanges.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            if (errors[i] is { } error)
                batch[i].Done.TrySetException(error);
            else
                batch[i].Done.TrySetResult(results[i]);
        }
    }

    private StoreException OutOfSpace(ObjectKey key, SqliteException e) => new(
        StoreErrorReason.StorageFull,
        $"{key}: {OutOfSpaceReason(DatabasePath)}; nothing was written, and the object store is read-only until that disk has room again",
        e);

    private static Exception Map(Exception e, ObjectKey key) =>
        e is SqliteException { SqliteErrorCode: SqliteErrors.Full } full ? SqliteErrors.StorageFull(full, key.ToString()) : e;

    /// <summary>One queued write: the work to run inside the batch's transaction and its completion.</summary>
    private sealed class PendingWrite(ObjectKey key, WriteDurability durability, Func<SqliteTransaction, object?> work)
    {
        public ObjectKey Key { get; } = key;

        public WriteDurability Durability { get; } = durability;

        public Func<SqliteTransaction, object?> Work { get; } = work;

        public TaskCompletionSource<object?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
