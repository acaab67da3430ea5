using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>Joining states received from other sites, and handing out this site's.</summary>
internal sealed partial class KvEngine
{
    /// <summary>
    /// Joins a key's state from another site into this one (the CRDT merge). The state must be this site's to own
    /// (decoded from the wire, never shared). Returns true when this site's state changed; the change is then written
    /// to disk and offered to the other peers like a local write (<paramref name="source"/> is not sent it back).
    /// </summary>
    public bool Merge(KeyState remote, object? source = null)
    {
        lock (_gate)
        {
            var changed = MergeLocked(remote, source);
            if (changed)
            {
                _disk?.CommitAsync();
            }

            return changed;
        }
    }

    /// <summary>
    /// Merges a replication batch under one hold of the lock and one wake of the disk writer (taking the lock and
    /// waking the writer per key made a 100,000-key catch-up contend with every other user of the lock). Keys that
    /// <paramref name="accept"/> refuses are skipped (counted in <paramref name="refused"/>). Returns how many keys
    /// changed here; <paramref name="lacking"/> counts the deltas not applied because this site lacks their base (it
    /// needs those keys' whole states).
    /// </summary>
    public int MergeAll(List<KeyState> remotes, object? source, Func<KeyState, bool> accept, out int lacking, out int refused)
    {
        lock (_gate)
        {
            var changed = 0;
            lacking = 0;
            refused = 0;
            foreach (var remote in remotes)
            {
                if (!accept(remote))
                {
                    refused++;
                    continue;
                }

                if (!HasBase(remote))
                {
                    lacking++;
                }
                else if (MergeLocked(remote, source))
                {
                    changed++;
                }
            }

            if (changed > 0)
            {
                _disk?.CommitAsync();
            }

            return changed;
        }
    }

    private bool HasBase(KeyState remote) => DeltaReadiness.CanApply(_table.Find(remote.Key), remote);

    private bool MergeLocked(KeyState remote, object? source)
    {
        // Later local writes must order after what was seen (the HLC's causality guarantee).
        foreach (var dot in remote.Clock.Entries)
        {
            _clock.Observe(dot.Hlc);
        }

        var state = _table.Find(remote.Key);
        var created = state is null;
        if (state is null)
        {
            if (remote.IsEmpty && !NeedsTombstone(remote))
            {
                return false; // a delete of something this site never held, and no peer to tell
            }

            state = new KeyState(remote.Key);
            _table.Add(state);
        }

        // When the remote state has seen everything this one has, the join is the remote state: the source
        // already holds it, so it is not sent back there.
        if (!created && !remote.Clock.Dominates(state.Clock))
        {
            source = null;
        }

        if (!KeyMerge.MergeInto(state, remote) && !created)
        {
            return false;
        }

        Changed(state, source);
        return true;
    }

    /// <summary>A copy of this site's state of a key (null when it holds none), for peers and tests.</summary>
    public KeyState? Export(ReadOnlySpan<byte> key)
    {
        lock (_gate)
        {
            return _table.Find(key) is { } state ? KeyCodec.Read(KeyCodec.ToArray(state)) : null;
        }
    }
}
