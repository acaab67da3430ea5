namespace Fornax.Kv.Replication;

/// <summary>
/// A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten here too: it no longer
/// holds back tombstones and change-log entries, nor keeps keyspaces relayed for it. Should a site of that name link
/// again, it is asked to reset first (<see cref="ResetBy"/>): what it holds may miss deletes whose tombstones went.
/// </summary>
internal sealed partial class Replicator
{
    /// <summary>Neighbours forgotten here → the stamp of the reset asked of a site that links again under the name.</summary>
    private readonly Dictionary<string, long> _forgotten = new(StringComparer.Ordinal);

    /// <summary>The reset asked of a neighbour this site does not know yet (0: none): set once this site was reset,
    /// since a neighbour below it may hold what this site held (a wiped site's children, say).</summary>
    private long _resetNewNeighbours;

    /// <summary>The forgotten neighbours or the reset stamp changed since the disk writer last took the positions.</summary>
    private bool _positionsChanged;

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
            _forgotten[peerSite] = engine.NextStamp();
            _interestsVersion++;
            _positionsChanged = true;
            engine.PositionsChanged();
            // What only it needed through this site is given up; what the others need is announced to them without it.
            RecomputeCarried();
            // Kept until it acknowledged them, it held back every change-log entry and tombstone since it left.
            TruncateLog();
        }

        // Outside the lock: a cancellation runs the session's callbacks at once.
        Cancel(session);
    }

    /// <summary>The reset this session's hello asks of <paramref name="peerSite"/> (0: none; under the lock).</summary>
    private long ResetToAsk(string peerSite) =>
        _peers.TryGetValue(peerSite, out var peer) ? peer.ResetOwed : _forgotten.GetValueOrDefault(peerSite, _resetNewNeighbours);

    /// <summary>
    /// The parent asks this site to reset (its hello's stamp): this site was forgotten there, or is below one that was,
    /// and may hold keys whose deletes it never got — their tombstones are gone. It drops every key the parent's side
    /// needs and had acknowledged (the parent has it, or its delete), keeps what the parent has not acknowledged (this
    /// side's writes on their way up), asks the parent for a catch-up to fill the drop, and asks the same reset of every
    /// other neighbour, known now or not (under the lock). Returns the change number the disk must reach before the
    /// reset is answered done. With a catch-up of the parent owed, nothing is dropped: it would send keys the parent
    /// never had, which the drop cannot tell from keys the parent deleted.
    /// </summary>
    private long ResetBy(string parentSite, List<CancellationTokenSource> sessions)
    {
        if (_peers.TryGetValue(parentSite, out var parent) && parent is { CatchUp: null, NeedsCatchUp: false, CatchUpLastBatch: 0 })
        {
            var (acked, needs) = (parent.Acked, parent.Interest);
            if (engine.DropWhere(state => state.ChangeSeq <= acked && Matches(needs, state.Key)) > 0)
            {
                MarkLost(parent);
                RecountAll();
            }
        }

        var stamp = engine.NextStamp();
        foreach (var peer in _peers.Values.Where(p => p.Site != parentSite))
        {
            peer.ResetOwed = stamp;
            peer.PositionDirty = true;
            if (peer.Session is { } session)
            {
                sessions.Add(session); // its next session's hello asks for the reset
            }
        }

        _resetNewNeighbours = stamp;
        _positionsChanged = true;
        engine.PositionsChanged();
        return engine.NextVersion();
    }

    /// <summary>The peer's reset is on its disk: nothing more is asked of it.</summary>
    private void OnResetDone(PeerState peer, long stamp)
    {
        lock (engine.Gate)
        {
            if (stamp == peer.ResetOwed)
            {
                peer.ResetOwed = 0;
                peer.PositionDirty = true;
                engine.PositionsChanged();
            }
        }
    }

    private static void Cancel(CancellationTokenSource? session)
    {
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
