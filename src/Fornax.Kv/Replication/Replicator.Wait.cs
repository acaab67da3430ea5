using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>WAIT: which neighbours hold a change of this site's, and a wake-up when that may have changed.</summary>
internal sealed partial class Replicator
{
    /// <summary>Completed (and dropped) when an acknowledgement moves or the neighbours change; made only while a WAIT waits.</summary>
    private TaskCompletionSource? _replicasMoved;

    /// <summary>
    /// The neighbours that replicate <paramref name="state"/>'s key and hold this site's changes up to
    /// <paramref name="version"/>: they acknowledged everything of this site's they need up to it — and up to the key's
    /// latest change when it changed again since, since a superseded change may never have been sent (the later one
    /// goes instead). Under the store's lock.
    /// </summary>
    public (int Count, Task? Moved) ReplicasHolding(long version, KeyState state)
    {
        var through = Math.Max(version, state.ChangeSeq);
        var count = 0;
        foreach (var peer in _peers.Values)
        {
            // A catch-up running or owed: its keys may not be there yet, whatever the log scan acknowledged (a neighbour
            // that needs a keyspace only now had every change of it skipped, as not its own).
            var catchingUp = peer.CatchUp is not null || peer.NeedsCatchUp || peer.CatchUpLastBatch != 0;
            if (peer.Acked >= through && !catchingUp && Matches(peer.Interest, state.Key))
            {
                count++;
            }
        }

        _replicasMoved ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (count, _replicasMoved.Task);
    }

    /// <summary>A neighbour acknowledged more, or the neighbours or their needs changed: WAITs count again.</summary>
    private void ReplicasMoved()
    {
        if (_replicasMoved is { } moved)
        {
            _replicasMoved = null;
            moved.TrySetResult();
        }
    }
}
