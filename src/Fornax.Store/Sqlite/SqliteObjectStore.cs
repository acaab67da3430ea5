using Microsoft.Data.Sqlite;

namespace Fornax.Store;

/// <summary>
/// <see cref="IObjectStore"/> on one SQLite database in WAL mode: one long-lived writer connection
/// behind a gate that commits queued writes in groups (one fsync per group, none for a group of relaxed writes),
/// pooled reader connections for concurrent reads.
/// Split by aspect: <c>.Reads</c>, <c>.Writes</c>, <c>.Durability</c>, <c>.Watch</c>.
/// </summary>
internal sealed partial class SqliteObjectStore : IObjectStore
{
    private const string DatabaseFileName = "objects.db";

    private readonly ObjectStoreOptions _options;
    private readonly string _directory;
    private readonly DataDirectoryLock _lock;
    // Null while the store is read-only (SqliteObjectStore.Storage); changes only with _writeGate held.
    private SqliteConnection? _writer;
    private string _readConnectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly WatchHub _hub = new();

    /// <summary>The most writes one transaction takes; bounds the latency a batch adds to its first write.</summary>
    private const int MaxBatch = 256;

    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingWrite> _pending = new();

    // Changes staged by the running batch, published in order once it commits.
    private readonly List<ChangeRecord> _batchChanges = [];

    // Both only change with _writeGate held, after a successful commit.
    private long _resourceVersion;
    private long _compactedThrough;

    // The running batch's view: versions taken by writes staged but not yet committed.
    private long _stagedResourceVersion;
    private long _stagedCompactedThrough;
    private int _disposed;

    private SqliteObjectStore(ObjectStoreOptions options, string directory, DataDirectoryLock directoryLock, OpenedWriter? writer, string readConnectionString)
    {
        _options = options;
        _directory = directory;
        _lock = directoryLock;
        _readConnectionString = readConnectionString;
        if (writer is not null)
        {
            UseWriter(writer);
            return;
        }

        // Read-only from the start: the versions as the database holds them (a reservation left by an unclean close is
        // recovered when writes resume).
        using var reader = OpenReader();
        _resourceVersion = Schema.ReadMeta(reader, null, Schema.ResourceVersionKey);
        _compactedThrough = Schema.ReadMeta(reader, null, Schema.CompactedThroughKey);
        _storage = new StorageState(true, OutOfSpaceReason(DatabasePath), options.TimeProvider.GetUtcNow());
    }

    public long ResourceVersion => Volatile.Read(ref _resourceVersion);

    /// <summary>Opens for writing, or read-only when the disk has no room for that (<see cref="Storage"/> says which).</summary>
    public static SqliteObjectStore Open(ObjectStoreOptions options)
    {
        var directory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(directory);
        var directoryLock = DataDirectoryLock.Acquire(directory);
        try
        {
            var database = Path.Combine(directory, DatabaseFileName);
            return TryOpenWriter(options, directory) is { } writer
                ? new SqliteObjectStore(options, directory, directoryLock, writer, ReaderConnectionString(database))
                : new SqliteObjectStore(options, directory, directoryLock, null, ReadOnlyConnectionString(database));
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Let a write in flight finish; later writes see _disposed and throw.
        _writeGate.Wait();
        try
        {
            _hub.Close(new ObjectDisposedException(nameof(IObjectStore), $"the object store in {_directory} was closed"));
            ReleaseReservation();
            _writer?.Dispose();
            using (var pooled = new SqliteConnection(_readConnectionString))
                SqliteConnection.ClearPool(pooled);
            _lock.Dispose();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed() =>
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
