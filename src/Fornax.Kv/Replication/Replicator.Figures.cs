namespace Fornax.Kv.Replication;

/// <summary>The replication backlog per keyspace prefix: the same count and age <see cref="Stats"/> gives per peer.</summary>
internal sealed partial class Replicator
{
    /// <summary>Changes of sets and hashes sent as deltas (the elements changed) rather than whole states.</summary>
    public long DeltasSent { get; private set; }

    /// <summary>Deltas received whose base this site lacked (each leads to a catch-up with the sender).</summary>
    public long DeltasWithoutBase { get; private set; }

    /// <summary>Per prefix: changed keys not acknowledged, summed over the peers that need them, and the age of the oldest (under the lock).</summary>
    public (long Pending, long LagMs)[] Backlog(byte[][] prefixes, long nowUnixMs)
    {
        var result = new (long Pending, long LagMs)[prefixes.Length];
        foreach (var peer in _peers.Values)
        {
            for (var i = _log.After(peer.Acked); i < _log.End; i++)
            {
                var entry = _log[i];
                if (entry.State.ChangeSeq != entry.Seq || entry.Source == peer || !Matches(peer.Interest, entry.State.Key))
                {
                    continue;
                }

                for (var p = 0; p < prefixes.Length; p++)
                {
                    if (entry.State.Key.AsSpan().StartsWith(prefixes[p]))
                    {
                        result[p].Pending++;
                        result[p].LagMs = Math.Max(result[p].LagMs, nowUnixMs - entry.AtUnixMs);
                    }
                }
            }
        }

        return result;
    }
}
