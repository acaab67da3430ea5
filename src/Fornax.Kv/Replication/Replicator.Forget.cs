namespace Fornax.Kv.Replication;

/// <summary>A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten here too.</summary>
internal sealed partial class Replicator
{
    /// <summary>
    /// Neighbours forgotten here → what each last said its side needs, its data epoch then, and this site's version then.
    /// That need still counts until every other neighbour has acknowledged this site's changes up to that version: a
    /// keyspace relayed for it stays carried, its copies kept. Given up sooner, the copies would go with the changes the
    /// neighbour sent that this site acknowledged and had not passed on yet — acknowledged, and then lost. Given up then
    /// (<see cref="ReleaseForgottenNeeds"/>): kept for ever, a relay went on receiving and storing a keyspace nobody on
    /// that side would read again. Kept on disk (a position marked forgotten).
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
            _forgotten[peerSite] = new ForgottenPeer(peer.PeerEpoch, peer.Interest, engine.CurrentVersion);
            _positionForgotten = true;
            engine.PositionsChanged();
            // Kept until it acknowledged them, it held back every change-log entry and tombstone since it left.
            TruncateLog();
            ReplicasMoved();
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
    /// Gives up the needs of forgotten neighbours once what they sent is passed on: every neighbour has acknowledged this
    /// site's changes up to the version of the forget (<paramref name="everyone"/>, the least of them) and none is owed a
    /// catch-up (whose skipped changes count as acknowledged before they arrive). The neighbours are told the smaller
    /// need, and the copies of a keyspace carried only for a forgotten neighbour are dropped. The epoch stays, to refuse
    /// the neighbour's old data.
    /// </summary>
    private void ReleaseForgottenNeeds(long everyone)
    {
        if (_forgotten.Count == 0 || !_forgotten.Values.Any(f => f.Interest.Count > 0 && everyone >= f.HeldUntil)
            || _peers.Values.Any(p => p.CatchingUp))
        {
            return;
        }

        foreach (var (peerSite, forgotten) in _forgotten.Where(f => f.Value.Interest.Count > 0 && everyone >= f.Value.HeldUntil).ToList())
        {
            _forgotten[peerSite] = forgotten with { Interest = [] };
        }

        _positionForgotten = true; // the markers are written again, without the needs
        engine.PositionsChanged();
        _interestsVersion++;
        RecomputeCarried();
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

    /// <summary>
    /// The epochs of this site's earlier stores that the tree forgot, for the hello. Not this store's own: while it runs
    /// refused by its parent, the sites below it go on replicating with it; they are refused once it starts afresh. The
    /// latest <see cref="Frames.MaxForgottenEpochs"/> at most, what a neighbour reads.
    /// </summary>
    private List<long> ForgottenEpochsToName() => [.. engine.ForgottenEpochs.Where(e => e != engine.Epoch).TakeLast(Frames.MaxForgottenEpochs)];

    /// <summary>
    /// One side last replicated with a store of the other that the tree has since forgotten (the epoch it knew is among
    /// those the other names): it was cut off with that store, so it may hold keys deleted in the tree since, whose
    /// tombstones were collected without either of them — the forgotten store's parent refused it, and this data would
    /// bring the keys back the same way. Both sides refuse, before either records anything of the other, and the side
    /// holding the old data is named: its site keeps its store's epoch among its own forgotten ones, for the sites below it.
    /// </summary>
    private void RefuseIfEitherReplicatedWithAForgottenStore(string peerSite, HelloFrame hello)
    {
        if (hello.ForgottenEpochs.Count > 0 && _peers.TryGetValue(peerSite, out var peer) && peer.PeerEpoch != 0 && hello.ForgottenEpochs.Contains(peer.PeerEpoch))
        {
            throw new ReplicationRefusedException(ReplicatedWithAForgottenStore(stale: site, forgotten: peerSite));
        }

        if (hello.KnownPeerEpoch != 0 && hello.KnownPeerEpoch != engine.Epoch && engine.ForgottenEpochs.Contains(hello.KnownPeerEpoch))
        {
            throw new ReplicationRefusedException(ReplicatedWithAForgottenStore(stale: peerSite, forgotten: site));
        }
    }

    private static string ReplicatedWithAForgottenStore(string stale, string forgotten) =>
        $"\"{stale}\" last replicated with the KV data \"{forgotten}\" had when the tree forgot it: keys deleted in the tree since " +
        $"could come back from it. Remove the kv folder of {stale}'s data directory (and of the sites below it) and start it again";
}

/// <summary>A neighbour forgotten here: its data epoch when it was forgotten (0: it never spoke), its last needs (empty once
/// given up), and this site's version when it was forgotten (its needs are held until every neighbour has that).</summary>
internal readonly record struct ForgottenPeer(long Epoch, List<byte[]> Interest, long HeldUntil);
