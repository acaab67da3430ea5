namespace Fornax.Kv.Replication;

/// <summary>A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten here too.</summary>
internal sealed partial class Replicator
{
    /// <summary>
    /// Neighbours forgotten here → what each last said its side needs, and its data epoch then. That need still counts: a
    /// keyspace relayed for it stays carried, its copies kept. Given up, the copies would go with the changes the
    /// neighbour sent that this site acknowledged and had not passed on yet — acknowledged, and then lost. Kept on disk
    /// (a position marked forgotten).
    /// </summary>
    private readonly Dictionary<string, ForgottenPeer> _forgotten = new(StringComparer.Ordinal);

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
            _forgotten[peerSite] = new ForgottenPeer(peer.PeerEpoch, peer.Interest);
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

    /// <summary>
    /// A forgotten neighbour that links again with the data it had when it was forgotten (its epoch then) is refused:
    /// the tombstones this site kept for it went with the forget, so keys deleted in the tree since may still be in its
    /// store, and a catch-up from it would bring them back everywhere. With its store started afresh (a new epoch) it
    /// is a new neighbour. An epoch of 0 is a neighbour that never spoke before it was forgotten: it holds nothing of
    /// this side's.
    /// </summary>
    private void RefuseIfForgottenWithItsData(string peerSite, long peerEpoch)
    {
        if (_forgotten.TryGetValue(peerSite, out var forgotten) && forgotten.Epoch != 0 && forgotten.Epoch == peerEpoch)
        {
            throw new ReplicationRefusedException(
                $"\"{peerSite}\" was forgotten at {site} and links again with the KV data it had then: keys deleted in the tree " +
                $"since could come back from it. Remove the kv folder of its data directory (and of the sites below it) and start it again");
        }
    }
}

/// <summary>A neighbour forgotten here: its data epoch when it was forgotten (0: it never spoke) and its last needs.</summary>
internal readonly record struct ForgottenPeer(long Epoch, List<byte[]> Interest);
