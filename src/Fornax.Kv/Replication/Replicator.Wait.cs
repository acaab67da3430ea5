using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>WAIT: which neighbours hold a change of this site's, and a wake-up when that may have changed.</summary>
internal sealed partial class Replicator
{
    /// <summary>Completed (and dropped) when an acknowledgement moves or the neighbours change; made only while a WAIT waits.</summary>
    private TaskCompletionSource? _replicasMoved;

    /// <summary>
    /// The neighbours that hold every one of <paramref name="writes"/>: they replicate its key and acknowledged everything
    /// of this site's they need up to it — and up to the key's latest change when it changed again since, since a
    /// superseded change may never have been sent (the later one goes instead). Under the store's lock.
    /// </summary>
    public (int Count, Task? Moved) ReplicasHolding(ReadOnlySpan<KvReplicatedWrite> writes)
    {
        var count = 0;
        foreach (var peer in _peers.Values)
        {
            // A catch-up running or owed: its keys may not be there yet, whatever the log scan acknowledged (a neighbour
            // that needs a keyspace only now had every change of it skipped, as not its own).
            if (!peer.CatchingUp && Holds(peer, writes))
            {
                count++;
            }
        }

        _replicasMoved ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (count, _replicasMoved.Task);
    }

    private static bool Holds(PeerState peer, ReadOnlySpan<KvReplicatedWrite> writes)
    {
        foreach (var write in writes)
        {
            var state = write.State!;
            if (peer.Acked < Math.Max(write.Version, state.ChangeSeq) || !Matches(peer.Interest, state.Key))
            {
                return false;
            }
        }

        return true;
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
