using Microsoft.Data.Sqlite;

namespace Fornax.Store;

/// <summary>
/// Relaxed writes: which group commits fsync, and the version reservation that keeps the resourceVersion from going
/// back when an OS crash loses relaxed commits.
/// </summary>
internal sealed partial class SqliteObjectStore
{
    /// <summary>
    /// Versions one fsynced commit reserves for the relaxed commits after it. Relaxed writes alone pay one fsync per this
    /// many versions (0.01 % of them); a store opened after an unclean shutdown skips at most this many versions, a tenth
    /// of the default <see cref="ObjectStoreOptions.WatchHistory"/>.
    /// </summary>
    internal const long ReservedVersions = 10_000;

    // Under _writeGate: the reservation on disk; the version the last fsync covered (at open everything is on disk: a
    // clean close and the recovery of an unclean one both fsync); whether the running batch acknowledges, as durable, an
    // object a relaxed commit after that left as it is; the writer's synchronous setting as SQLite reports it
    // (Schema.Initialize leaves it at FULL).
    private long _reservedThrough;
    private long _syncedResourceVersion;
    private bool _confirmsUnsynced;
    private bool _synchronousFull = true;

    private long _commits;
    private long _syncedCommits;

    public StoreCommitCounts CommitCounts => new(Interlocked.Read(ref _commits), Interlocked.Read(ref _syncedCommits));

    /// <summary>Writes queued and not yet taken into a batch (lets a test see that a batch has formed).</summary>
    internal int QueuedWrites => _pending.Count;

    /// <summary>True while a batch holds the write gate.</summary>
    internal bool WriteInProgress => _writeGate.CurrentCount == 0;

    /// <summary>
    /// Whether a batch must fsync: any durable write in it, or more versions than the reservation has left. Decided before
    /// its transaction begins: SQLite refuses to change <c>synchronous</c> inside one.
    /// </summary>
    private bool NeedsSync(List<PendingWrite> batch) =>
        batch.Exists(w => w.Durability == WriteDurability.Durable) || _resourceVersion + batch.Count > _reservedThrough;

    private void SetSynchronous(bool full)
    {
        if (full == _synchronousFull)
            return;
        Schema.Execute(Writer, full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;");
        // What SQLite reports rather than what was asked: the commit counts rest on it (2 = FULL, 1 = NORMAL).
        _synchronousFull = Schema.Scalar(Writer, "PRAGMA synchronous;") == 2;
    }

    /// <summary>
    /// A write that changes nothing returns the stored object. If the caller wants it durable and a relaxed commit not yet
    /// on disk wrote it, the batch must fsync all the same (see <see cref="Reserve"/>).
    /// </summary>
    private StoredObject Unchanged(ObjectKey key, StoredRow row, WriteDurability durability)
    {
        if (durability == WriteDurability.Durable && row.ResourceVersion > _syncedResourceVersion)
            _confirmsUnsynced = true;
        return row.ToStoredObject(key);
    }

    /// <summary>
    /// In a batch that fsyncs: reserves the versions after it for relaxed commits. Also written when the batch changed
    /// nothing but acknowledges as durable an object written by a relaxed commit not yet on disk, so that the commit
    /// fsyncs it. Returns the new reservation, or null when none was due (and nothing is written).
    /// </summary>
    private long? Reserve(SqliteTransaction transaction)
    {
        if (_batchChanges.Count == 0 && !_confirmsUnsynced)
            return null;
        var reserved = _stagedResourceVersion + ReservedVersions;
        using var command = Writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "UPDATE meta SET value = $value WHERE key = 'reservedThrough';";
        command.Parameters.AddWithValue("$value", reserved);
        command.ExecuteNonQuery();
        return reserved;
    }

    /// <summary>After a batch committed: counts it and moves the reservation.</summary>
    private void Committed(bool synced, long? reserved)
    {
        if (_batchChanges.Count == 0 && reserved is null)
            return; // nothing was written, so nothing was synced either
        Interlocked.Increment(ref _commits);
        if (synced)
        {
            Interlocked.Increment(ref _syncedCommits);
            _syncedResourceVersion = _stagedResourceVersion;
            _reservedThrough = reserved ?? _reservedThrough;
        }
    }

    /// <summary>
    /// At open: a reservation above the stored version means the last close was not clean, and relaxed commits may have
    /// handed out versions up to it and been lost; continue after it (fsynced, as the writer opens with FULL).
    /// </summary>
    private static (long ResourceVersion, long ReservedThrough) RecoverReservation(SqliteConnection writer, long resourceVersion)
    {
        var reserved = Schema.ReadMeta(writer, null, Schema.ReservedThroughKey);
        if (reserved <= resourceVersion)
            return (resourceVersion, resourceVersion);
        using var command = writer.CreateCommand();
        command.CommandText = "UPDATE meta SET value = $value WHERE key = 'resourceVersion';";
        command.Parameters.AddWithValue("$value", reserved);
        command.ExecuteNonQuery();
        return (reserved, reserved);
    }

    /// <summary>At a clean close (write gate held): gives the unused reservation back, fsynced, so the versions stay dense.</summary>
    private void ReleaseReservation()
    {
        if (_writer is null || _reservedThrough == _resourceVersion)
            return;
        try
        {
            SetSynchronous(true);
            using var command = Writer.CreateCommand();
            command.CommandText = "UPDATE meta SET value = $value WHERE key = 'reservedThrough';";
            command.Parameters.AddWithValue("$value", _resourceVersion);
            command.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // A full disk, say: the next open then skips the reserved versions, which is safe.
        }
    }
}
