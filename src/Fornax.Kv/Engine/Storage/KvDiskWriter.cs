using System.Buffers;
using System.Buffers.Binary;
using Fornax.Kv.Engine.Crdt;
using Fornax.Kv.Engine.Native;

namespace Fornax.Kv.Engine;

/// <summary>
/// Writes changed keys to RocksDB from one thread: whatever committed since its last write goes in one
/// <see cref="RocksWriteBatch"/> (group commit: one write, and under <c>always</c> one fsync, for many transactions; a key
/// overwritten many times meanwhile is written once). One record per key ("k" + key → its whole state), so the
/// database holds the data, not the history, and start-up reads one record per key.
/// </summary>
internal sealed partial class KvDiskWriter : IAsyncDisposable
{
    private readonly string _directory;

    /// <summary>RocksDB's <c>CURRENT</c>, there for as long as the store's directory is (<see cref="ThrowIfDirectoryLost"/>).</summary>
    private readonly string _currentFile;
    private readonly RocksDbOptions _options;
    private RocksDatabase _db;
    private bool _openedReadOnly;
    private readonly KvDurability _durability;
    private readonly Lock _gate;
    private readonly HybridLogicalClock _clock;
    private readonly Thread _thread;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly ITimer? _fsyncTimer;
    private readonly WriteOptionsHandle _syncWrite = RocksDatabase.NewWriteOptions(sync: true);
    private readonly WriteOptionsHandle _plainWrite = RocksDatabase.NewWriteOptions(sync: false);
    private readonly RocksWriteBatch _batch = new();
    /// <summary>A write group's encoded records; let go when a big value grew it past 16 MiB (a group of ordinary keys
    /// under load stays far below).</summary>
    private ArrayBufferWriter<byte> _buffer = new(InitialBufferBytes);
    private readonly List<(int KeyStart, int KeyLength, int ValueStart, int ValueLength, RecordOp Op)> _records = [];

    /// <summary>Copies of large collections whose every element this batch writes, encoded off the lock.</summary>
    private readonly List<KeyState> _largeRewrites = [];

    /// <summary>For tests: runs before <see cref="_largeRewrites"/> are encoded.</summary>
    public Action<string>? EncodingLarge { get; set; }

    private List<KeyState> _pending = [];
    private List<KeyState> _writing = [];
    private TaskCompletionSource _group = NewGroup();

    /// <summary>SAVE: each waits for the next write that syncs the log (the writer takes them with the keys it writes).</summary>
    private List<TaskCompletionSource> _saves = [];

    private readonly TimeProvider _time;
    private long _lastSyncUnixMs;
    private bool _wakeRequested;
    private volatile bool _syncRequested;
    private volatile bool _stopping;
    private long _persistedVersion;

    private KvDiskWriter(string directory, RocksDbOptions options, KvDurability durability, TimeProvider time, Lock gate, HybridLogicalClock clock)
    {
        _directory = directory;
        _currentFile = Path.Combine(directory, "CURRENT");
        _options = options;
        (_db, Failed) = OpenWritableOrReadOnly(directory, options);
        _openedReadOnly = Failed is not null;
        _durability = durability;
        _time = time;
        _lastSyncUnixMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        _gate = gate;
        _clock = clock;
        _thread = new Thread(Run) { IsBackground = true, Name = "fornax-kv-disk" };
        _thread.Start();
        if (durability == KvDurability.EverySecond)
        {
            _fsyncTimer = time.CreateTimer(_ => RequestSync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The write that failed (a full disk, or the directory deleted: <see cref="KvDirectoryLostException"/>), while
    /// writes are refused; null when writing works.</summary>
    public Exception? Failed { get; private set; }

    /// <summary>What writes are refused with while <see cref="Failed"/> is set.</summary>
    public string ReadOnlyReply => Failed is KvDirectoryLostException lost ? lost.Message : KvException.ReadOnly;

    private KvDirectoryLostException? _lost;

    public long RecordsLoaded { get; private set; }

    /// <summary>Bytes of records encoded for RocksDB since the store opened (what a write costs the disk, for tests).</summary>
    public long BytesEncoded { get; private set; }

    /// <summary>Writes that synced the log (for tests: an idle second syncs nothing).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Times the writer looked for work and finished (wrote, or found nothing to write), for tests.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    private long _syncs;
    private long _rounds;

    /// <summary>A write since the last sync that was not synced: what an everysec tick has to sync.</summary>
    private bool _unsynced;

    /// <summary>When the log was last synced to the disk (LASTSAVE); the store's opening until the first sync.</summary>
    public long LastSyncUnixMs => Interlocked.Read(ref _lastSyncUnixMs);

    /// <summary>Every local change up to this version is in RocksDB's write-ahead log (replication sends only those).</summary>
    public long PersistedVersion => Volatile.Read(ref _persistedVersion);

    /// <summary>Called once a batch is in the log, off the store's lock, with the version it covers.</summary>
    public Action<long>? Persisted { get; set; }

    public static KvDiskWriter Open(string directory, KvDurability durability, TimeProvider time, Lock gate, HybridLogicalClock clock)
    {
        Directory.CreateDirectory(directory);
        // The memtable bounds the write-ahead log replayed after a kill (start-up does not grow with history), and a key
        // written many times before a flush is flushed once: under SET load on 100,000 keys, 32 MiB instead of 8 cut the
        // bytes written per replicated SET by 18% across four sites (the flushes and compactions; docs/benchmarks.md).
        var options = new RocksDbOptions(WriteBufferSize: 32UL << 20, MaxTotalWalSize: 64UL << 20, KeepLogFileNum: 2);
        return new KvDiskWriter(directory, options, durability, time, gate, clock);
    }

    /// <summary>
    /// A full disk fails the read-write open (RocksDB writes a new MANIFEST and log at every open). The data is still
    /// there to serve: the store opens read-only and refuses writes until <see cref="TryReopenWritable"/> succeeds.
    /// </summary>
    private static (RocksDatabase Db, Exception? Failed) OpenWritableOrReadOnly(string directory, RocksDbOptions options)
    {
        try
        {
            return (RocksDatabase.Open(directory, options), null);
        }
        catch (RocksDbException e) when (IsDiskFull(e))
        {
            return (RocksDatabase.OpenReadOnly(directory, options), e);
        }
    }

    private static bool IsDiskFull(RocksDbException e) =>
        e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase);

    /// <summary>After a start on a full disk: once there is room, the read-only handle gives way to a writable one.</summary>
    private void TryReopenWritable()
    {
        if (!_openedReadOnly)
        {
            return;
        }

        try
        {
            var writable = RocksDatabase.Open(_directory, _options);
            var readOnly = _db;
            _db = writable;
            _openedReadOnly = false;
            Failed = null;
            readOnly.Dispose();
        }
        catch (RocksDbException e)
        {
            Failed = e;
        }
    }

    /// <summary>Queues a changed key (under the store's lock).</summary>
    public void Enqueue(KeyState state)
    {
        if (!state.PendingPersist)
        {
            state.PendingPersist = true;
            _pending.Add(state);
        }
    }

    /// <summary>Wakes the writer (under the store's lock); under <c>always</c> the commit completes with the group's fsync.</summary>
    public KvCommit CommitAsync()
    {
        Wake();
        return _durability == KvDurability.Always ? new KvCommit(_group.Task) : KvCommit.Completed;
    }

    /// <summary>
    /// SAVE: completes once every write committed before it is synced to the disk, whatever the durability policy (a
    /// durable point on demand under <c>everysec</c> or <c>none</c>); at once when nothing is left unsynced. Fails with
    /// the disk's error when the write fails.
    /// </summary>
    public Task SaveAsync()
    {
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _saves.Add(saved);
            Wake();
        }

        return saved.Task;
    }

    private void Wake()
    {
        if (!_wakeRequested)
        {
            _wakeRequested = true;
            _signal.Release();
        }
    }

    private void RequestSync()
    {
        _syncRequested = true;
        lock (_gate)
        {
            Wake();
        }
    }

    private void Run()
    {
        while (true)
        {
            // After a failed write, try again every second (space may have been freed).
            _signal.Wait(Failed is null ? Timeout.Infinite : 1000);
            TryReopenWritable();
            WriteOnce();
            if (_stopping)
            {
                WriteOnce();
                return;
            }
        }
    }

    private static TaskCompletionSource NewGroup() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        if (_fsyncTimer is not null)
        {
            await _fsyncTimer.DisposeAsync();
        }

        _stopping = true;
        _syncRequested = _durability != KvDurability.None;
        _signal.Release();
        _thread.Join();
        try
        {
            // A clean close leaves no log to replay at the next start (a read-only handle has nothing to flush).
            if (!_openedReadOnly)
            {
                _db.Flush();
            }
        }
        catch (RocksDbException)
        {
            // a full disk: the log holds everything; the next start replays it
        }

        _db.Dispose();
        _batch.Dispose();
        _syncWrite.Dispose();
        _plainWrite.Dispose();
        _signal.Dispose();
    }
}
