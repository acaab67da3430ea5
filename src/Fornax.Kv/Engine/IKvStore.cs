namespace Fornax.Kv.Engine;

/// <summary>
/// The edge KV store of one site: CRDT values in memory, durable on RocksDB, replicated along the tree.
/// Every command runs as one atomic transaction at the site (MULTI/EXEC is one transaction of several
/// commands); its writes become one RocksDB write batch and one replication batch.
/// </summary>
public interface IKvStore : IAsyncDisposable
{
    /// <summary>
    /// Runs <paramref name="body"/> atomically (no other transaction at this site interleaves with it) and
    /// applies its writes. The body must not block or await; it may throw <see cref="KvException"/>, in which
    /// case none of its writes are applied. The returned <see cref="KvCommit"/> completes when the writes are
    /// durable under the site's <c>durability</c> policy (at once under <c>everysec</c> and <c>none</c>; after
    /// the group commit's fsync under <c>always</c>): a reply must not be sent before it completes.
    /// </summary>
    KvCommit Execute<TState, TResult>(TState state, KvTransactionBody<TState, TResult> body, out TResult result)
        where TState : allows ref struct;

    /// <summary>
    /// Holds the store's lock for a run of <see cref="Execute"/> calls from one thread (a pipelined burst of
    /// commands): each still commits as its own transaction, but the lock is taken once instead of once per
    /// command, which is what many connections contend for. Dispose on the same thread; never block or await
    /// while holding it, and keep the run short (other connections and the disk writer wait for it). The burst's
    /// transactions share one reading of the clock, taken when the hold begins.
    /// </summary>
    KvBurst HoldForBurst();

    /// <summary>Number of live keys (DBSIZE).</summary>
    long Count { get; }

    /// <summary>True while the store refuses writes (e.g. a full disk); reads still work.</summary>
    bool IsReadOnly { get; }

    /// <summary>Figures for INFO and /metrics (keys, bytes, persistence, replication peers and lag).</summary>
    KvStoreStats Stats { get; }

    /// <summary>
    /// WAIT: how many of this site's neighbours hold every one of <paramref name="writes"/> (they replicate each one's
    /// key and acknowledged this site's changes up to it), and a task that completes when that number may have changed —
    /// null when it cannot (no write, or no replication), so there is nothing to wait for.
    /// </summary>
    (int Count, Task? Moved) ReplicasHolding(params ReadOnlySpan<KvReplicatedWrite> writes);

    /// <summary>
    /// SAVE: completes once every write committed before it is synced to the disk, whatever the durability policy;
    /// throws the disk's error when that write fails. A store without a disk has nothing to save.
    /// </summary>
    Task SaveAsync();

    /// <summary>LASTSAVE: when the store's log was last synced to the disk, in Unix ms (its opening before the first sync).</summary>
    long LastSaveUnixMs { get; }
}

/// <summary>A hold of a store's lock for a burst of transactions (<see cref="IKvStore.HoldForBurst"/>); dispose it on the thread that took it.</summary>
public ref struct KvBurst
{
    private readonly KvEngine? _engine;
    private Lock.Scope _scope;

    /// <summary>A hold that is only the lock (a store with no clock of its own to share).</summary>
    public KvBurst(Lock.Scope scope) => _scope = scope;

    internal KvBurst(Lock.Scope scope, KvEngine engine)
    {
        _scope = scope;
        _engine = engine;
    }

    public void Dispose()
    {
        _engine?.EndBurst();
        _scope.Dispose();
    }
}

/// <summary>The body of a transaction: reads and writes through <paramref name="tx"/>.</summary>
public delegate TResult KvTransactionBody<TState, TResult>(IKvTransaction tx, TState state)
    where TState : allows ref struct;

/// <summary>
/// Completes when a transaction's writes are durable under the site's policy. Cheap when already complete
/// (no allocation), so a pipeline can await only its last commit before flushing replies.
/// </summary>
public readonly struct KvCommit
{
    private readonly Task? durable;

    public KvCommit(Task? durable) => this.durable = durable;

    private KvCommit(Task? durable, KvReplicatedWrite replicated, KvReplicatedWrite[]? earlier)
    {
        this.durable = durable;
        Replicated = replicated;
        EarlierReplicated = earlier;
    }

    /// <summary>The transaction's last change that replication carries to other sites (none: its keys stay here), for WAIT.</summary>
    public KvReplicatedWrite Replicated { get; }

    /// <summary>The transaction's last change in each other keyspace it wrote (null: one keyspace at most), for WAIT.</summary>
    public KvReplicatedWrite[]? EarlierReplicated { get; }

    internal KvCommit WithReplicated(KvReplicatedWrite replicated, KvReplicatedWrite[]? earlier = null) => new(durable, replicated, earlier);

    /// <summary>A commit with nothing to wait for (a read-only transaction, or a policy that does not wait).</summary>
    public static KvCommit Completed => default;

    public bool IsCompleted => durable is null || durable.IsCompleted;

    public ValueTask WaitAsync() => durable is null ? ValueTask.CompletedTask : new ValueTask(durable);
}

/// <summary>A change a transaction made that replication carries to other sites: its version at this site, its key and
/// the keyspace (the carried prefix) it was logged under.</summary>
public readonly struct KvReplicatedWrite
{
    internal KvReplicatedWrite(long version, Crdt.KeyState state, byte[] keyspace)
    {
        Version = version;
        State = state;
        Keyspace = keyspace;
    }

    /// <summary>0: no such change.</summary>
    public long Version { get; }

    internal Crdt.KeyState? State { get; }

    /// <summary>The carried prefix the change was logged under: a connection's writes are waited for per keyspace.</summary>
    internal byte[]? Keyspace { get; }

    /// <summary>Whether this write was logged under <paramref name="keyspace"/> (by content: the carried list may be rebuilt).</summary>
    internal bool InKeyspace(ReadOnlySpan<byte> keyspace) => Keyspace is { } mine && keyspace.SequenceEqual(mine);

    /// <summary><paramref name="writes"/> with <paramref name="write"/> in place of the one of its keyspace, or added.</summary>
    internal static KvReplicatedWrite[] Put(KvReplicatedWrite[]? writes, KvReplicatedWrite write)
    {
        writes ??= [];
        for (var i = 0; i < writes.Length; i++)
        {
            if (writes[i].InKeyspace(write.Keyspace))
            {
                writes[i] = write;
                return writes;
            }
        }

        return [.. writes, write];
    }
}
