namespace Fornax.Kv.Replication;

/// <summary>A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten here too.</summary>
internal sealed partial class Replicator
{
    /// <summary>A neighbour was forgotten since the disk writer last took the positions: its record goes.</summary>
    private bool _positionForgotten;

    public void Forget(string peerSite)
    {
        CancellationTokenSource? session;
        lock (engine.Gate)
        {
            if (!_peers.Remove(peerSite, out var peer))
            {
                return;
            }

            session = peer.Session;
            _interestsVersion++;
            _positionForgotten = true;
            engine.PositionsChanged();
            // What only it needed through this site is given up; what the others need is announced to them without it.
            RecomputeCarried();
            // Kept until it acknowledged them, it held back every change-log entry and tombstone since it left.
            TruncateLog();
        }

        // Outside the lock: a cancellation runs the session's callbacks at once.
        try
        {
            session?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the session ended meanwhile
        }
    }
}
