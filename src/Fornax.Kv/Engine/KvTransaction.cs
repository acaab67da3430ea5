using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// The one transaction object of a store, reused by every <see cref="IKvStore.Execute"/> under the store's lock.
/// Every method checks before it changes anything (a <see cref="KvException"/> leaves the key as it was); the undo
/// log restores the keys a body changed when the body itself throws.
/// </summary>
internal sealed partial class KvTransaction(KvEngine engine, KeyTable table, HybridLogicalClock clock, ulong replica) : IKvTransaction
{
    private byte[] _scratch = new byte[64];
    private long _txId;

    public long NowUnixMs { get; private set; }

    public bool CountsReads
    {
        get;
        set
        {
            field = value;
            _lastCounted = null;
        }
    }

    /// <summary>The key the current read command counted last: a command that looks a key up twice in a row (its type,
    /// then its value) counts it once.</summary>
    private KeyState? _lastCounted;

    /// <summary>Keys this transaction changed, in the order first changed.</summary>
    public List<KeyState> Touched { get; } = [];

    public void Begin(long nowUnixMs)
    {
        NowUnixMs = nowUnixMs;
        CountsReads = false;
        _txId++;
        Touched.Clear();
        _undo.Clear();
    }

    /// <summary>The key if it exists and has not expired.</summary>
    private KeyState? Live(ReadOnlySpan<byte> key)
    {
        var state = table.Find(key);
        var live = state is not null && state.IsLive(NowUnixMs) ? state : null;
        if (CountsReads && (live is null || !ReferenceEquals(live, _lastCounted)))
        {
            engine.CountRead(hit: live is not null);
            _lastCounted = live;
        }

        return live;
    }

    private KeyState? LiveOfType(ReadOnlySpan<byte> key, KvType type)
    {
        var state = Live(key);
        if (state is not null && state.Type != type)
        {
            throw new KvException(KvException.WrongType);
        }

        return state;
    }

    /// <summary>
    /// The key, ready for a write of <paramref name="type"/>: created when missing; emptied first when expired; the
    /// entries of other types (left by concurrent writes elsewhere) removed, as this write has observed them.
    /// </summary>
    private KeyState ForWrite(ReadOnlySpan<byte> key, KvType type)
    {
        var state = table.Find(key);
        if (state is null)
        {
            state = new KeyState(key.ToArray());
            table.Add(state);
            Created(state);
            return state;
        }

        Snapshot(state);
        if (!state.IsLive(NowUnixMs))
        {
            ClearEntries(state);
        }

        if (type != KvType.String && !state.Str.IsEmpty)
        {
            state.Str = ValueCell.Empty;
        }

        if (type != KvType.Set && state.Members is not null)
        {
            state.Members = null;
            state.ElementsReplaced();
        }

        if (type != KvType.Hash && state.Fields is not null)
        {
            state.Fields = null;
            state.ElementsReplaced();
        }

        return state;
    }

    private void ClearEntries(KeyState state)
    {
        NewDot(state); // the delete is an event of the key's history (see AfterRemoval)
        state.Str = ValueCell.Empty;
        if (state.Members is not null || state.Fields is not null)
        {
            state.ElementsReplaced();
        }

        state.Members = null;
        state.Fields = null;
        state.Expiry = [];
        state.ExpiresAt = 0;
        state.Type = KvType.None;
    }

    private Dot NewDot(KeyState state)
    {
        var dot = new Dot(replica, clock.Next(NowUnixMs));
        state.Clock.Observe(dot);
        return dot;
    }

    /// <summary>
    /// After removing entries: when none remain the key is gone (its expiry with it). The removal gets a dot of its own
    /// in the clock: a replica whose clock has seen it has seen the removal, which is what lets a peer take a delta
    /// (that names only what changed since a base) once its clock covers the base.
    /// </summary>
    private void AfterRemoval(KeyState state)
    {
        NewDot(state);
        if (state.IsEmpty)
        {
            state.Expiry = [];
        }

        state.RecomputeDerived();
    }

    public long Version(ReadOnlySpan<byte> key)
    {
        var state = Live(key);
        return state?.Version ?? -engine.RemovalVersion;
    }
}
