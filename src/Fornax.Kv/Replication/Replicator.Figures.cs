namespace Fornax.Kv.Replication;

/// <summary>The replication backlog per keyspace prefix: the counts <see cref="Stats"/> gives per peer, by prefix.</summary>
internal sealed partial class Replicator
{
    /// <summary>Changes of sets and hashes sent as deltas (the elements changed) rather than whole states.</summary>
    public long DeltasSent { get; private set; }

    /// <summary>Key states not sent because they encode to over <see cref="BatchWriter.MaxStateBytes"/>.</summary>
    public long StatesTooLarge { get; private set; }

    /// <summary>Deltas received whose base this site lacked (each leads to a catch-up with the sender).</summary>
    public long DeltasWithoutBase { get; private set; }

    /// <summary>For tests: what <paramref name="peerSite"/> acknowledged of this site's changes, and whether a catch-up
    /// with it is running (under the lock).</summary>
    internal (long Acked, bool CatchingUp) PositionOf(string peerSite)
    {
        lock (engine.Gate)
        {
            var peer = _peers[peerSite];
            return (peer.Acked, peer.CatchingUp);
        }
    }

    /// <summary>For tests: the peer is connected and has said in this session what its side needs (under the lock).</summary>
    internal bool HeardFrom(string peerSite)
    {
        lock (engine.Gate)
        {
            return _peers.TryGetValue(peerSite, out var peer) && peer.Connected && peer.InterestHeard;
        }
    }

    /// <summary>
    /// Per prefix: changed keys not acknowledged, summed over the peers that need them (counted under the prefixes the
    /// peers asked for that lie within it), and the age of the oldest such change of those peers (under the lock).
    /// </summary>
    public (long Pending, long LagMs)[] Backlog(byte[][] prefixes, long nowUnixMs)
    {
        var result = new (long Pending, long LagMs)[prefixes.Length];
        foreach (var peer in _peers.Values)
        {
            if (peer.PendingKeys == 0)
            {
                continue;
            }

            var lag = OldestPending(peer) is { } oldest ? Math.Max(0, nowUnixMs - oldest) : 0;
            for (var i = 0; i < peer.Interest.Count; i++)
            {
                var (interest, pending) = (peer.Interest[i], peer.PendingByInterest[i]);
                for (var p = 0; p < prefixes.Length; p++)
                {
                    if (pending > 0 && interest.AsSpan().StartsWith(prefixes[p]))
                    {
                        result[p].Pending += pending;
                        result[p].LagMs = Math.Max(result[p].LagMs, lag);
                    }
                }
            }
        }

        return result;
    }
}
