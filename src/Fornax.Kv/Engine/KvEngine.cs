using System.Security.Cryptography;
using System.Text;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// A site's store: every key's CRDT state in memory (reads never touch the disk), one lock that makes each
/// transaction atomic, a disk writer that batches changed keys into RocksDB, and the replication hooks.
/// </summary>
internal sealed partial class KvEngine : IKvStore
{
    private readonly Lock _gate = new();
    private readonly KeyTable _table = new();
    private readonly HybridLogicalClock _clock;
    private readonly KvTransaction _tx;
    private readonly KvStoreOptions _options;
    private readonly KvDiskWriter? _disk;
    private readonly ITimer _sweepTimer;
    /// <summary><see cref="_burstNowMs"/> outside a burst.</summary>
    private const long NoBurst = long.MinValue;

    private long _version;
    private long _burstNowMs = NoBurst;
    private long _liveCount;
    private int _disposed;

    public KvEngine(KvStoreOptions options)
    {
        _options = options;
        _openedAtUnixMs = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        _clock = new HybridLogicalClock();
        Epoch = options.Random.NextInt64(1, long.MaxValue);
        if (options.DataDirectory is not null)
        {
            _disk = KvDiskWriter.Open(options.DataDirectory, options.Durability, options.TimeProvider, _gate, _clock);
            var loaded = _disk.LoadAll(options.Random);
            Epoch = loaded.Epoch;
            Replica = ReplicaIdOf(options.SiteId, Epoch); // before the clock observes this replica's dots
            foreach (var state in loaded.States)
            {
                _table.Add(state);
                Recount(state);
                TrackExpiry(state);
                ObserveClock(state);
                _version = Math.Max(_version, state.ChangeSeq);
            }

            _version = Math.Max(_version, loaded.LastVersion);
            // Numbering goes on above whatever a neighbour acknowledged (a disk written before the version record
            // followed the store's number may hold a lower one): a change numbered at or below it would count as sent.
            foreach (var position in loaded.Positions)
            {
                _version = Math.Max(_version, position.Acked);
            }

            _clock.Observe(loaded.LastHlc);
            _loadedPositions = loaded.Positions;
            RecordsLoaded = _disk.RecordsLoaded;
            _disk.Persisted = OnPersisted;
            _disk.CurrentVersion = () => _version;
        }
        else
        {
            Replica = ReplicaIdOf(options.SiteId, Epoch);
        }

        _tx = new KvTransaction(this, _table, _clock, Replica);
        _sweepTimer = options.TimeProvider.CreateTimer(_ => SweepExpired(), null, options.ExpirySweepInterval, options.ExpirySweepInterval);
    }

    /// <summary>
    /// This store's replica id: the first 8 bytes of the SHA-256 of its site's name and its data's epoch (stable across
    /// restarts). Of the name alone, a site whose data directory was deleted wrote again under its old id: its new
    /// writes' clocks covered the dots of its old ones, which the other sites then took as removed — an increment
    /// made before it caught up erased every earlier increment of that site, everywhere, and a member it had added
    /// went. A new epoch is a new replica; the old one's writes stay as they were.
    /// </summary>
    public ulong Replica { get; }

    public Random Random => _options.Random;

    /// <summary>Bumped when a key is removed for good; <see cref="IKvTransaction.Version"/> of an absent key is its negation.</summary>
    public long RemovalVersion { get; private set; }

    /// <summary>Keys a client's read command found, or did not (under the lock: <see cref="IKvTransaction.CountsReads"/>).</summary>
    public long KeyspaceHits { get; private set; }

    public long KeyspaceMisses { get; private set; }

    /// <summary>Keys deleted here because their expiry passed (the sweep; under the lock).</summary>
    public long ExpiredKeys { get; set; }

    public void CountRead(bool hit)
    {
        if (hit)
        {
            KeyspaceHits++;
        }
        else
        {
            KeyspaceMisses++;
        }
    }

    /// <summary>Records read from disk at start-up (keys and tombstones, not history).</summary>
    public long RecordsLoaded { get; }

    /// <summary>Keys holding a value, as Redis' DBSIZE counts them (expired keys count until the sweep deletes them).</summary>
    public long Count => Volatile.Read(ref _liveCount);

    public bool IsReadOnly => _disk?.Failed is not null;

    /// <summary>Bytes the disk writer encoded so far (under the lock; for tests of what a write costs).</summary>
    internal long DiskBytesEncoded
    {
        get
        {
            lock (_gate)
            {
                return _disk?.BytesEncoded ?? 0;
            }
        }
    }

    public Task SaveAsync() => _disk?.SaveAsync() ?? Task.CompletedTask;

    public long LastSaveUnixMs => _disk?.LastSyncUnixMs ?? _openedAtUnixMs;

    /// <summary>When the store was opened (LASTSAVE of a store without a disk).</summary>
    private readonly long _openedAtUnixMs;

    /// <summary>For tests: runs where the copy of a large set or hash is encoded or merged off the store's lock —
    /// "batch" and "digest" for peers, "disk" for the disk writer, "merge" for a whole state received
    /// (<see cref="Crdt.KeyState.IsLarge"/>).</summary>
    internal Action<string>? EncodingLarge
    {
        get;
        set
        {
            field = value;
            _disk?.EncodingLarge = value;
        }
    }

    /// <summary>The disk writer's synced writes and finished rounds (for tests of what an idle second costs).</summary>
    internal (long Syncs, long Rounds) DiskWriterCounts => _disk is { } disk ? (disk.Syncs, disk.Rounds) : (0, 0);

    /// <summary>The store's figures: counts kept as keys change, bytes from the sums the figure sample keeps (INFO and
    /// /metrics read this; walking every key and element under the lock for it stalled every writer of a large store).</summary>
    public KvStoreStats Stats
    {
        get
        {
            var bytes = SampledStoreBytes();
            lock (_gate)
            {
                return new KvStoreStats
                {
                    Keys = _liveCount,
                    KeysWithExpiry = _expiring.Count,
                    Tombstones = _table.Count - _liveCount, // every key held has a value or is a tombstone
                    Bytes = bytes,
                    Durability = _options.Durability,
                    RecordsLoaded = RecordsLoaded,
                    KeyspaceHits = KeyspaceHits,
                    KeyspaceMisses = KeyspaceMisses,
                    ExpiredKeys = ExpiredKeys,
                    PendingDiskWrites = _disk is null ? 0 : _version - _disk.PersistedVersion,
                    Peers = PeerStats(),
                };
            }
        }
    }

    public static ulong ReplicaIdOf(string siteId, long epoch) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{siteId}/{epoch}")), 0);

    public KvBurst HoldForBurst()
    {
        var scope = _gate.EnterScope();
        _burstNowMs = ReadClock();
        return new KvBurst(scope, this);
    }

    /// <summary>The burst's hold ends (its lock still held): transactions read the clock again.</summary>
    internal void EndBurst() => _burstNowMs = NoBurst;

    /// <summary>
    /// Now, for transactions, expiry and the change log (under the lock): read once per burst of pipelined commands
    /// (their transactions happen within microseconds, as Redis reads its clock once per event-loop turn), else per call.
    /// </summary>
    public long NowUnixMs() => _burstNowMs != NoBurst ? _burstNowMs : ReadClock();

    private long ReadClock() => _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public KvCommit Execute<TState, TResult>(TState state, KvTransactionBody<TState, TResult> body, out TResult result)
        where TState : allows ref struct
    {
        lock (_gate)
        {
            _tx.Begin(NowUnixMs());
            try
            {
                result = body(_tx, state);
            }
            catch
            {
                _tx.Rollback();
                throw;
            }

            if (_tx.Touched.Count == 0)
            {
                return KvCommit.Completed;
            }

            if (_disk?.Failed is not null)
            {
                _tx.Rollback();
                throw new KvException(_disk.ReadOnlyReply);
            }

            return Commit(_tx.Touched);
        }
    }

    /// <summary>Stamps the changed keys, drops the ones that ended empty (when no replica needs their tombstone) and queues them for disk and peers.</summary>
    private KvCommit Commit(List<KeyState> touched)
    {
        KvReplicatedWrite last = default;
        KvReplicatedWrite[]? earlier = null;
        foreach (var state in touched)
        {
            if (Changed(state, null) is { } keyspace)
            {
                if (last.State is not null && !last.InKeyspace(keyspace))
                {
                    earlier = KvReplicatedWrite.Put(earlier, last); // a transaction over keys of two keyspaces
                }

                last = new KvReplicatedWrite(state.ChangeSeq, state, keyspace);
            }
        }

        var commit = _disk?.CommitAsync() ?? KvCommit.Completed;
        return last.State is null ? commit : commit.WithReplicated(last, earlier);
    }

    /// <summary>A key changed (a local write, or a merge from <paramref name="source"/>): stamp it, drop it when it ended
    /// empty and no replica needs its tombstone, and queue it for the disk and the peers (under the lock). Returns
    /// the carried prefix replication logged the change under, to carry it to other sites, or null.</summary>
    private byte[]? Changed(KeyState state, object? source)
    {
        state.Version = ++_version;
        state.ChangeSeq = _version;
        if (state.IsEmpty && !NeedsTombstone(state))
        {
            _table.Remove(state);
            state.Removed = true;
            RemovalVersion = _version;
        }

        Recount(state);
        TrackExpiry(state);
        FiguresChanged(state);
        _disk?.Enqueue(state);
        var replicated = OnChanged(state, source);
        state.ChangeTaken();
        return replicated;
    }

    private void Recount(KeyState state)
    {
        var counts = !state.IsEmpty && !state.Removed;
        if (counts != state.Counted)
        {
            state.Counted = counts;
            _liveCount += counts ? 1 : -1;
        }
    }

    private void ObserveClock(KeyState state)
    {
        var mine = state.Clock.Get(Replica);
        _clock.Observe(mine);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sweepTimer.DisposeAsync();
        if (_disk is not null)
        {
            await _disk.DisposeAsync();
        }
    }
}
