namespace Fornax.Kv.Replication;

/// <summary>A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten here too.</summary>
internal sealed partial class Replicator
{
    /// <summary>
    /// Neighbours forgotten here → what each last said its side needs. That need still counts: a keyspace relayed for it
    /// stays carried, its copies kept. Given up, the copies would go with the changes the neighbour sent that this site
    /// acknowledged and had not passed on yet — acknowledged, and then lost. Kept on disk (a position marked forgotten).
    /// </summary>
    private readonly Dictionary<string, List<byte[]>> _forgotten = new(StringComparer.Ordinal);

    /// <summary>A neighbour was forgotten since the disk writer last took the positions: its record becomes a marker.</summary>
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
            _forgotten[peerSite] = peer.Interest;
            _positionForgotten = true;
            engine.PositionsChanged();
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
