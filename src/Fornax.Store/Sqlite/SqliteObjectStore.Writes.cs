using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Fornax.Store;

internal sealed partial class SqliteObjectStore
{
    public Task<StoredObject> CreateAsync(JsonObject obj, CancellationToken ct = default)
    {
        var (key, _) = ObjectDocument.Parse(obj);
        return WriteAsync(key, transaction =>
        {
            if (ReadRow(_writer, transaction, key) is not null)
                StoreErrors.AlreadyExists(key);
            return Insert(transaction, key, obj);
        }, ct);
    }

    public Task<StoredObject> UpdateAsync(JsonObject obj, CancellationToken ct = default)
    {
        var (key, expected) = ObjectDocument.Parse(obj);
        return WriteAsync(key, transaction =>
        {
            var row = ReadRow(_writer, transaction, key);
            if (row is null)
                StoreErrors.NotFound(key);
            CheckPrecondition(key, row, expected);
            return Replace(transaction, key, row, obj).Object;
        }, ct);
    }

    public Task<(StoredObject Object, ApplyOutcome Outcome)> ApplyAsync(JsonObject obj, CancellationToken ct = default)
    {
        var (key, expected) = ObjectDocument.Parse(obj);
        return WriteAsync(key, transaction =>
        {
            var row = ReadRow(_writer, transaction, key);
            if (row is null)
                return (Insert(transaction, key, obj), ApplyOutcome.Created);
            CheckPrecondition(key, row, expected);
            var (result, changed) = Replace(transaction, key, row, obj);
            return (result, changed ? ApplyOutcome.Configured : ApplyOutcome.Unchanged);
        }, ct);
    }

    public Task<StoredObject> UpdateStatusAsync(ObjectKey key, JsonNode? status, long? expectedResourceVersion = null, CancellationToken ct = default)
    {
        key = ObjectDocument.NormalizeKey(key);
        if (status is not null and not JsonObject)
            StoreErrors.Invalid($"{key}: status must be an object, got {status.ToJsonString()}");
        return WriteAsync(key, transaction =>
        {
            var row = ReadRow(_writer, transaction, key);
            if (row is null)
                StoreErrors.NotFound(key);
            CheckPrecondition(key, row, expectedResourceVersion);
            var doc = row.Document;
            if (JsonNode.DeepEquals(doc["status"], status))
                return row.ToStoredObject(key);
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
        return WriteAsync(key, transaction =>
        {
            var row = ReadRow(_writer, transaction, key);
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
    private (StoredObject Object, bool Changed) Replace(SqliteTransaction transaction, ObjectKey key, StoredRow row, JsonObject obj)
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
            return (row.ToStoredObject(key), false);
        return (Commit(transaction, WatchEventType.Modified, key, generation, candidate), true);
    }

    private static void CheckPrecondition(ObjectKey key, StoredRow row, long? expected)
    {
        if (expected is long value && value != row.ResourceVersion)
            StoreErrors.Conflict(key, value, row.ResourceVersion);
    }

    /// <summary>
    /// Takes the next resourceVersion, writes the object and its change-log row, compacts the log,
    /// commits, and only then publishes to watchers. Runs with the write gate held.
    /// </summary>
    private StoredObject Commit(SqliteTransaction transaction, WatchEventType type, ObjectKey key, long generation, JsonObject doc)
    {
        var resourceVersion = _resourceVersion + 1;
        ObjectDocument.StampResourceVersion(doc, resourceVersion);
        var json = doc.ToJsonString();

        using (var command = _writer.CreateCommand())
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
        var compactThrough = Math.Max(_compactedThrough, resourceVersion - _options.WatchHistory);
        if (compactThrough > _compactedThrough)
        {
            using var command = _writer.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                DELETE FROM changes WHERE rv <= $through;
                UPDATE meta SET value = $through WHERE key = 'compactedThrough';
                """;
            command.Parameters.AddWithValue("$through", compactThrough);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        Volatile.Write(ref _resourceVersion, resourceVersion);
        Volatile.Write(ref _compactedThrough, compactThrough);
        _hub.Publish(new ChangeRecord(resourceVersion, type, key, generation, json));
        return new StoredObject(key, resourceVersion, generation, doc);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction with the write gate held. SQLite is
    /// synchronous underneath, so once the gate is taken the write is not cancelled half-way.
    /// Anything thrown before Commit rolls the whole transaction back.
    /// </summary>
    private async Task<T> WriteAsync<T>(ObjectKey key, Func<SqliteTransaction, T> work, CancellationToken ct)
    {
        ThrowIfDisposed();
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ThrowIfDisposed();
            using var transaction = _writer.BeginTransaction();
            return work(transaction);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteErrors.Full)
        {
            throw SqliteErrors.StorageFull(e, key.ToString());
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
