using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// The backlog per peer (changed keys it needs and has not acknowledged), kept as counts updated with each change and
/// each acknowledgement, so the figures read it without walking the change log under the store's lock (a walk of a
/// million-entry log once a second per peer stalled every writer). A log entry counts for a peer while it is the key's
/// latest, above what the peer acknowledged, not from the peer itself, and under a prefix the peer needs.
/// </summary>
internal sealed partial class Replicator
{
    /// <summary>Looked at from the first unacknowledged entry to find the oldest that counts (a bound, not a walk).</summary>
    private const int LagScan = 256;

    private bool Counts(PeerState peer, in ChangeLog.Entry entry) =>
        entry.Source != peer && entry.Seq > peer.Acked && entry.State.LoggedSeq == entry.Seq && IndexOfPrefix(peer.Interest, entry.State.Key) >= 0;

    /// <summary>The index of the first of <paramref name="prefixes"/> that <paramref name="key"/> starts with, or -1.</summary>
    private static int IndexOfPrefix(List<byte[]> prefixes, ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < prefixes.Count; i++)
        {
            if (key.StartsWith(prefixes[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void AddPending(PeerState peer, byte[] key, long delta)
    {
        var index = IndexOfPrefix(peer.Interest, key);
        if (index < 0)
        {
            return;
        }

        peer.PendingKeys += delta;
        peer.PendingByInterest[index] += delta;
    }

    /// <summary>A key's new entry replaces its earlier one (which stops counting) and counts for the peers it goes to.</summary>
    private void CountLogged(KeyState state, long previousSeq, long previousAt, PeerState? source)
    {
        var previous = previousSeq > _log.Dropped ? _log.At(previousAt, previousSeq) : null;
        foreach (var peer in _peers.Values)
        {
            if (previous is { } old && old.State == state && old.Seq > peer.Acked && old.Source != peer)
            {
                AddPending(peer, state.Key, -1);
            }

            if (peer != source)
            {
                AddPending(peer, state.Key, +1);
            }
        }
    }

    /// <summary>An entry left the log before every peer acknowledged it (the log's bound): it counts no more.</summary>
    private void Uncount(in ChangeLog.Entry entry)
    {
        foreach (var peer in _peers.Values)
        {
            if (Counts(peer, entry))
            {
                AddPending(peer, entry.State.Key, -1);
            }
        }
    }

    /// <summary>The peer acknowledged up to <paramref name="acked"/>: the entries between stop counting (each is passed once).</summary>
    private void UncountAcked(PeerState peer, long previous, long acked)
    {
        for (var i = _log.After(previous); i < _log.End && _log[i].Seq <= acked; i++)
        {
            var entry = _log[i];
            if (entry.Source != peer && entry.State.LoggedSeq == entry.Seq)
            {
                AddPending(peer, entry.State.Key, -1);
            }
        }
    }

    /// <summary>Counts the peer's backlog afresh: after its interest or its acknowledged version was reset (rare).</summary>
    private void Recount(PeerState peer)
    {
        peer.PendingKeys = 0;
        Array.Clear(peer.PendingByInterest);
        for (var i = _log.After(peer.Acked); i < _log.End; i++)
        {
            if (Counts(peer, _log[i]))
            {
                AddPending(peer, _log[i].State.Key, +1);
            }
        }
    }

    private void RecountAll()
    {
        foreach (var peer in _peers.Values)
        {
            Recount(peer);
        }
    }

    /// <summary>When the oldest change the peer still needs was made (null: none), looking at a bounded stretch of the log.</summary>
    private long? OldestPending(PeerState peer)
    {
        if (peer.PendingKeys == 0)
        {
            return null;
        }

        var first = _log.After(peer.Acked);
        var end = Math.Min(_log.End, first + LagScan);
        for (var i = first; i < end; i++)
        {
            if (Counts(peer, _log[i]))
            {
                return _log[i].AtUnixMs;
            }
        }

        // Only superseded or skipped entries in the stretch: the change is at least that old.
        return end > first ? _log[end - 1].AtUnixMs : null;
    }

    /// <summary>For tests: the backlog counted by a walk of the log, as the counts must equal.</summary>
    internal long PendingByWalk(string peerSite)
    {
        lock (engine.Gate)
        {
            var peer = _peers[peerSite];
            long pending = 0;
            for (var i = _log.After(peer.Acked); i < _log.End; i++)
            {
                pending += Counts(peer, _log[i]) ? 1 : 0;
            }

            return pending;
        }
    }
}
