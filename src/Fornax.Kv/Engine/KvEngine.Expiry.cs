using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// Expired keys are deleted by a periodic sweep, as Redis' active expiry does. The sweep looks only at the keys that
/// carry an expiry (kept in a set as they change), not at every key: walking 100,000 keys ten times a second, in
/// short transactions on the store's lock, cost the RESP port and replication a share of the CPU with no key to expire.
/// </summary>
internal sealed partial class KvEngine
{
    /// <summary>At most this many keys are deleted per transaction, so a large sweep never holds the lock for long.</summary>
    private const int SweepBatch = 256;

    private readonly HashSet<KeyState> _expiring = [];

    /// <summary>Keys that carry an expiry (expired or not), for tests and figures.</summary>
    internal int ExpiringCount
    {
        get
        {
            lock (_gate)
            {
                return _expiring.Count;
            }
        }
    }

    /// <summary>Keeps <see cref="_expiring"/> in step with a key that changed (under the lock).</summary>
    private void TrackExpiry(KeyState state)
    {
        if (!state.Removed && state.ExpiresAt != 0 && !state.IsEmpty)
        {
            _expiring.Add(state);
        }
        else
        {
            _expiring.Remove(state);
        }
    }

    private void SweepExpired()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            var more = true;
            while (more && Volatile.Read(ref _disposed) == 0)
            {
                Execute(_expiring, static (tx, expiring) => ((KvTransaction)tx).DeleteExpired(expiring, SweepBatch), out more);
            }
        }
        catch (KvException)
        {
            // read-only (disk full): expired keys stay invisible to reads and are deleted once writes work again
        }
    }
}
