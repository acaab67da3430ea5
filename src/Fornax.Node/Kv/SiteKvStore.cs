using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Kv;

/// <summary>
/// The site's KV store, opened when the site first needs it: a keyspace placed (or promoted) here, the first data
/// command on the RESP port or from a function, or a replication session. A site that never uses the store never
/// loads RocksDB (its library, heap and threads) and does not wait for it to start. A store that cannot open fails
/// every use with one message naming what is wrong; <see cref="State"/> shows it on <c>/api/site</c>.
/// </summary>
internal sealed partial class SiteKvStore : IKvStore
{
    private readonly Func<IKvStore> _open;
    private readonly Func<IEnumerable<string>> _forgotten;
    private readonly ForgottenKvStores _forgottenStores;
    private readonly string _directory;
    private readonly KvDurability _durability;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private readonly Lock _noStore = new();
    private readonly TaskCompletionSource _inUse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IKvStore? _store;
    private string? _failure;
    private IReadOnlyList<string>? _keyspaces;
    private bool _disposed;

    /// <summary>Checks the directory at once (cheaply: <see cref="KvDirectoryCheck"/>); opens nothing.</summary>
    /// <param name="directory">The store's folder.</param>
    /// <param name="durability">The durability policy the store opens with.</param>
    /// <param name="open">Opens the store.</param>
    /// <param name="forgotten">The names of the children forgotten here (standing forgets): forgotten by the store as it
    /// opens, so a forget that reached the site while the store was closed, or that a crash cut short, still holds.</param>
    /// <param name="forgottenStores">Where the epochs of this site's stores the tree forgot are kept (<see cref="RefusedByParent"/>).</param>
    /// <param name="log">The site's log.</param>
    public SiteKvStore(string directory, KvDurability durability, Func<IKvStore> open, Func<IEnumerable<string>> forgotten, ForgottenKvStores forgottenStores, ILogger<SiteKvStore> log)
    {
        KvDirectoryCheck.ThrowIfBroken(directory);
        _directory = directory;
        _durability = durability;
        _open = open;
        _forgotten = forgotten;
        _forgottenStores = forgottenStores;
        _log = log;
        if (Directory.Exists(directory))
        {
            // Data written before this start may not have reached the parent yet: replicate as soon as the link is up.
            _inUse.TrySetResult();
        }
    }

    /// <summary>Completes once the store holds data worth replicating: it existed at start, or it was opened since.</summary>
    public Task InUse => _inUse.Task;

    /// <summary>Completes when the store has opened (never, when nothing opens it or it cannot open).</summary>
    public Task Opened => _opened.Task;

    /// <summary>The open store, or null when nothing needed it yet (or it failed to open): for figures that must not open it.</summary>
    public IKvStore? OpenedOrNull => Volatile.Read(ref _store);

    /// <summary>Why the store cannot open (names the file), or null.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Why the parent refuses to replicate with this store (it forgot this site, and the store holds what it had
    /// then), or null; set by the uplink's replication (<see cref="KvUplinkReplication"/>).</summary>
    public string? UplinkRefusal { get; set; }

    /// <summary>
    /// The parent refused to replicate with this store (<paramref name="reason"/>): its epoch is kept among the forgotten
    /// ones (<see cref="ForgottenKvStores"/>) before the refusal shows, so an operator who removes the kv folder on
    /// reading it cannot be quicker than the record, and the sites below this one are refused once it starts afresh.
    /// Repeated at each refusal: a record that failed (a full disk) is tried again, and the refusal says so meanwhile.
    /// </summary>
    public void RefusedByParent(string reason)
    {
        if (OpenedOrNull is { } store)
        {
            try
            {
                _forgottenStores.Record(KvReplication.For(store).Epoch);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                LogForgottenNotRecorded(_forgottenStores.Path, e.Message);
                reason += $" (but {_forgottenStores.Path} could not record this store as forgotten: {e.Message}; keep the kv folder until it can)";
            }
        }

        UplinkRefusal = reason;
    }

    /// <summary><c>closed</c> (not needed yet), <c>open</c> or <c>failed</c>.</summary>
    public string State => OpenedOrNull is not null ? "open" : Failure is not null ? "failed" : "closed";

    /// <summary>The store, opened now if it is not yet; a store that cannot open throws <see cref="KvException"/>.</summary>
    public IKvStore Open() => TryOpen() ?? throw new KvException(Failure!);

    /// <summary>The store, opened now if it is not yet; null when it cannot open (<see cref="Failure"/> says why).</summary>
    public IKvStore? TryOpen()
    {
        if (Volatile.Read(ref _store) is { } open)
        {
            return open;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_store is not null || _failure is not null)
            {
                return _store;
            }

            var started = Environment.TickCount64;
            try
            {
                var store = _open();
                if (_keyspaces is { } prefixes)
                {
                    // What the site holds was settled before anything needed the store: applied before anyone uses it.
                    KvReplication.For(store).SetKeyspaces(prefixes);
                }

                foreach (var name in _forgotten())
                {
                    KvReplication.For(store).Forget(name);
                }

                Volatile.Write(ref _store, store);
                _inUse.TrySetResult();
                _opened.TrySetResult();
                LogOpened(_directory, Environment.TickCount64 - started);
                return store;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Volatile.Write(ref _failure, $"ERR the site's KV store ({_directory}) cannot open: {e.Message}");
                LogOpenFailed(_failure!);
                return null;
            }
        }
    }

    /// <summary>
    /// The prefixes this site holds a replica of. While the store is closed an empty set is only remembered (applied when
    /// something opens the store); a keyspace held here opens it.
    /// </summary>
    public void SetKeyspaces(IReadOnlyList<string> prefixes)
    {
        IKvStore? store;
        lock (_gate)
        {
            _keyspaces = prefixes;
            store = _store;
        }

        if (store is not null)
        {
            KvReplication.For(store).SetKeyspaces(prefixes);
        }
        else if (prefixes.Count > 0)
        {
            TryOpen(); // applies _keyspaces; a failure is logged and shown by State
        }
    }

    /// <summary>A child forgotten here (<c>fornax site forget</c>): the store forgets it as a neighbour, if it is open
    /// (a closed store forgets it as it opens).</summary>
    public void ForgetNeighbour(string name)
    {
        IKvStore? store;
        lock (_gate)
        {
            store = _store; // an open under way finishes first (it forgets the standing forgets it read; again is harmless)
        }

        if (store is not null)
        {
            KvReplication.For(store).Forget(name);
        }
    }

    public KvCommit Execute<TState, TResult>(TState state, KvTransactionBody<TState, TResult> body, out TResult result)
        where TState : allows ref struct =>
        Open().Execute(state, body, out result);

    /// <summary>
    /// The open store's burst hold. A store that cannot open holds a lock of its own instead, so the burst still runs and
    /// each command in it fails through <see cref="Execute"/> with the message naming the directory.
    /// </summary>
    public KvBurst HoldForBurst() => TryOpen() is { } store ? store.HoldForBurst() : new KvBurst(_noStore.EnterScope());

    public long Count => TryOpen()?.Count ?? 0;

    /// <summary>A connection that wrote opened the store: WAIT alone never opens it.</summary>
    public (int Count, Task? Moved) ReplicasHolding(params ReadOnlySpan<KvReplicatedWrite> writes) =>
        OpenedOrNull is { } store ? store.ReplicasHolding(writes) : (0, null);

    /// <summary>A store that cannot open refuses writes.</summary>
    public bool IsReadOnly => TryOpen()?.IsReadOnly ?? true;

    public KvStoreStats Stats => TryOpen()?.Stats ?? new KvStoreStats { Durability = _durability };

    public Task SaveAsync() => TryOpen() is { } store ? store.SaveAsync() : Task.FromException(new KvException(Failure!));

    public long LastSaveUnixMs => TryOpen()?.LastSaveUnixMs ?? 0;

    public async ValueTask DisposeAsync()
    {
        IKvStore? store;
        lock (_gate)
        {
            _disposed = true;
            store = _store;
        }

        if (store is not null)
        {
            await store.DisposeAsync();
        }
    }

    [LoggerMessage(EventId = 911, Level = LogLevel.Information, Message = "KV store {Directory} opened in {Milliseconds} ms")]
    private partial void LogOpened(string directory, long milliseconds);

    [LoggerMessage(EventId = 912, Level = LogLevel.Error, Message = "{Failure}")]
    private partial void LogOpenFailed(string failure);

    [LoggerMessage(EventId = 913, Level = LogLevel.Error, Message = "{File} could not record this site's KV store as forgotten by the tree: {Reason}")]
    private partial void LogForgottenNotRecorded(string file, string reason);
}
