using Microsoft.Data.Sqlite;

namespace Fornax.Store;

/// <summary>
/// A full disk: the store opens read-only when the database cannot be opened for writing, switches to read-only when a
/// write finds no room, and takes writes again when <see cref="TryResumeWrites"/> finds room. Read-only means no writer
/// connection (<c>_writer</c> is null); reads go on through the readers.
/// </summary>
internal sealed partial class SqliteObjectStore
{
    private StorageState _storage = StorageState.Writable;

    // A change of state made under the write gate, announced once the gate is released (handlers may write).
    private StorageState? _unannounced;

    public StorageState Storage => Volatile.Read(ref _storage);

    public event Action<StorageState>? StorageChanged;

    /// <summary>The writer, for code that runs under the write gate in a batch, which only runs while the store is writable.</summary>
    private SqliteConnection Writer => _writer ?? throw new InvalidOperationException($"the object store in {_directory} is read-only");

    private string DatabasePath => Path.Combine(_directory, DatabaseFileName);

    public StorageState TryResumeWrites()
    {
        if (!Storage.ReadOnly || Storage.Lost || Volatile.Read(ref _disposed) != 0 || DiskSpace.IsFull(_directory))
            return Storage;
        _writeGate.Wait();
        try
        {
            if (!Storage.ReadOnly || Volatile.Read(ref _disposed) != 0 || TryOpenWriter(_options, _directory) is not { } opened)
                return Storage;
            UseWriter(opened);
            var previous = _readConnectionString;
            _readConnectionString = ReaderConnectionString(DatabasePath);
            if (previous != _readConnectionString)
            {
                // The immutable readers of a store opened read-only would not see the writes to come.
                using var pooled = new SqliteConnection(previous);
                SqliteConnection.ClearPool(pooled);
            }

            SetStorage(StorageState.Writable);
        }
        finally
        {
            _writeGate.Release();
        }

        Announce();
        return Storage;
    }

    /// <summary>Under the write gate: a write found no room. Closes the writer; reads go on.</summary>
    private void EnterReadOnly()
    {
        _writer?.Dispose();
        _writer = null;
        SetStorage(new StorageState(true, OutOfSpaceReason(DatabasePath), _options.TimeProvider.GetUtcNow()));
    }

    /// <summary>
    /// Under the write gate: whether the database file is gone from the data directory (deleted under the running site: a
    /// clean-up of /tmp, an <c>rm -rf</c>). SQLite would go on writing to a file no path leads to, acknowledging writes
    /// the next start would not find; so the store turns read-only for good, saying why. One stat per batch of writes.
    /// </summary>
    private bool DatabaseLost()
    {
        if (File.Exists(DatabasePath))
            return false;
        _writer?.Dispose();
        _writer = null;
        SetStorage(new StorageState(true, $"the data directory {_directory} was deleted while the site ran ({DatabasePath} is gone)", _options.TimeProvider.GetUtcNow()) { Lost = true });
        return true;
    }

    private void SetStorage(StorageState state)
    {
        Volatile.Write(ref _storage, state);
        _unannounced = state;
    }

    /// <summary>Outside the write gate: tells the handlers of <see cref="StorageChanged"/> what changed, once.</summary>
    private void Announce()
    {
        if (Interlocked.Exchange(ref _unannounced, null) is { } state)
            StorageChanged?.Invoke(state);
    }

    private StoreException ReadOnlyRefusal(ObjectKey key) => new(
        StoreErrorReason.StorageFull,
        Storage.Lost
            ? $"{key}: the object store is read-only: {Storage.Reason}; nothing was written. Restart the site to start it afresh on that directory"
            : $"{key}: the object store is read-only: {Storage.Reason}; nothing was written. It takes writes again by itself once that disk has {DiskSpace.FullBelowBytes / (1024 * 1024)} MiB free");

    private static string OutOfSpaceReason(string database) => $"no space left on device ({database})";

    /// <summary>A SQLite failure for want of room: SQLITE_FULL, or the I/O error of a WAL index that cannot grow, on a disk that is full.</summary>
    private static bool IsOutOfSpace(SqliteException e, string directory) =>
        e.SqliteErrorCode is SqliteErrors.Full or SqliteErrors.IoErr && DiskSpace.IsFull(directory);

    /// <summary>A writer connection with the schema in place and its versions read, or null when the disk has no room for one.</summary>
    private static OpenedWriter? TryOpenWriter(ObjectStoreOptions options, string directory)
    {
        var database = Path.Combine(directory, DatabaseFileName);
        // The writer is not pooled: its pragmas (synchronous, max_page_count) are its own, and
        // closing it must really close the file before the directory lock is released.
        var writer = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = database,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            writer.Open();
            Schema.Initialize(writer, options.MaxDatabaseBytes);
            var (resourceVersion, reservedThrough) = RecoverReservation(writer, Schema.ReadMeta(writer, null, Schema.ResourceVersionKey));
            return new OpenedWriter(writer, resourceVersion, reservedThrough, Schema.ReadMeta(writer, null, Schema.CompactedThroughKey));
        }
        catch (SqliteException e) when (IsOutOfSpace(e, directory))
        {
            writer.Dispose();
            return null;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteErrors.Full)
        {
            writer.Dispose();
            throw SqliteErrors.StorageFull(e, $"data directory {directory}");
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Under the write gate (or in the constructor): takes <paramref name="opened"/> as the writer, with its versions.</summary>
    private void UseWriter(OpenedWriter opened)
    {
        _writer = opened.Connection;
        _synchronousFull = true; // Schema.Initialize leaves it at FULL
        Volatile.Write(ref _resourceVersion, Math.Max(_resourceVersion, opened.ResourceVersion));
        _reservedThrough = opened.ReservedThrough;
        _syncedResourceVersion = _resourceVersion;
        Volatile.Write(ref _compactedThrough, opened.CompactedThrough);
    }

    private static string ReaderConnectionString(string database) => new SqliteConnectionStringBuilder
    {
        DataSource = database,
        Mode = SqliteOpenMode.ReadWrite,
        Pooling = true,
    }.ToString();

    /// <summary>
    /// Readers of a database that cannot be opened for writing. Read-only first: that works when the WAL index is in
    /// place (after a crash it is, and the WAL may hold committed writes). When the index cannot be created either, and
    /// the WAL is absent or empty (a clean close checkpoints it into the database), the database file alone is the whole
    /// truth and is read as immutable (no WAL, no index, no locks: nothing else writes it while this store holds the
    /// directory's lock). A WAL with writes in it and no room for its index cannot be read: that stops the start.
    /// </summary>
    private static string ReadOnlyConnectionString(string database)
    {
        if (!File.Exists(database) || new FileInfo(database).Length == 0)
        {
            throw new StoreException(
                StoreErrorReason.StorageFull,
                $"{database}: no space left on device to create the database of a new site; free space on that disk and start the site again");
        }

        var readOnly = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly };
        if (CanRead(readOnly))
            return readOnly.ToString();
        var wal = database + "-wal";
        var immutable = new SqliteConnectionStringBuilder { DataSource = new Uri(database).AbsoluteUri + "?immutable=1", Mode = SqliteOpenMode.ReadOnly };
        if ((!File.Exists(wal) || new FileInfo(wal).Length == 0) && CanRead(immutable))
            return immutable.ToString();
        throw new StoreException(
            StoreErrorReason.StorageFull,
            $"{database}: no space left on device, and {wal} holds writes that reading the database needs room for (32 KiB); free space on that disk and start the site again");
    }

    private static bool CanRead(SqliteConnectionStringBuilder pooled)
    {
        // Not pooled: a connection that failed here must not be handed to a reader later.
        var probe = new SqliteConnectionStringBuilder(pooled.ToString()) { Pooling = false };
        try
        {
            using var connection = new SqliteConnection(probe.ToString());
            connection.Open();
            Schema.ReadMeta(connection, null, Schema.ResourceVersionKey);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private sealed record OpenedWriter(SqliteConnection Connection, long ResourceVersion, long ReservedThrough, long CompactedThrough);
}
