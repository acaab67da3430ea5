using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>Cutting batches: from a full copy (checkpoint) while one runs, else from the change log.</summary>
internal sealed partial class Replicator
{
    /// <summary>The next batch frame for the peer, or null when it has everything sent.</summary>
    private byte[]? BuildBatch(PeerState peer)
    {
        var number = peer.NextBatch;
        Frames.StartBatch(_batch, number);
        var count = 0;
        long bringsAckedTo;
        if (peer.FullSyncSlot is int slot)
        {
            var end = engine.Table.SlotCount;
            for (; slot < end && count < MaxBatchKeys && _batch.WrittenCount < MaxBatchBytes; slot++)
            {
                if (engine.Table.AtSlot(slot) is { } state && Matches(peer.Interest, state.Key))
                {
                    Frames.AppendState(_batch, state);
                    count++;
                }
            }

            var done = slot >= end;
            peer.FullSyncSlot = done ? null : slot;
            bringsAckedTo = done ? peer.FullSyncFrom : peer.Acked;
        }
        else
        {
            var i = _log.After(peer.Sent);
            var durable = engine.DurableVersion;
            for (; i < _log.End && count < MaxBatchKeys && _batch.WrittenCount < MaxBatchBytes; i++)
            {
                var entry = _log[i];
                if (entry.Seq > durable)
                {
                    break; // not in this site's log yet: sent once the disk writer has it
                }

                peer.Sent = entry.Seq;

                // Skipped: a key changed again since (its later entry sends it), a change the peer itself sent (its state
                // already holds it), a key the peer does not need.
                if (entry.State.ChangeSeq == entry.Seq && entry.Source != peer && Matches(peer.Interest, entry.State.Key))
                {
                    Frames.AppendState(_batch, entry.State);
                    count++;
                }
            }

            bringsAckedTo = peer.Sent;
            if (count == 0)
            {
                if (peer.InFlight.Count == 0)
                {
                    peer.Acked = Math.Max(peer.Acked, peer.Sent);
                    TruncateLog();
                }
                else
                {
                    var last = peer.InFlight.Keys.Max();
                    peer.InFlight[last] = Math.Max(peer.InFlight[last], peer.Sent);
                }

                return null;
            }
        }

        peer.NextBatch++;
        peer.InFlight[number] = bringsAckedTo;
        return _batch.WrittenSpan.ToArray();
    }

    /// <summary>Drops what every known peer acknowledged; a tombstone whose delete every peer has is collected then.</summary>
    private void TruncateLog()
    {
        if (_peers.Count == 0)
        {
            return;
        }

        var everyone = _peers.Values.Min(p => p.Acked);
        _log.TruncateThrough(everyone, entry =>
        {
            if (entry.State.ChangeSeq == entry.Seq && entry.State.IsEmpty && !entry.State.Removed)
            {
                engine.CollectTombstone(entry.State);
            }
        });
    }
}
