using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>Cutting batches: from a catch-up's keys while one runs, else from the change log.</summary>
internal sealed partial class Replicator
{
    /// <summary>
    /// A batch cut under the store's lock: its frame, or the copy of one large key that is its only content, for the
    /// sender to encode off the lock (<see cref="KeyState.IsLarge"/>): whole, or as <paramref name="LargeDelta"/> when
    /// the peer needs only that many of its elements and they are more than a large key's worth.
    /// </summary>
    private readonly record struct OutgoingBatch(long Number, byte[]? Frame, KeyState? Large, KeyDelta? LargeDelta = null);

    /// <summary>The elements of a set or hash a peer having it as of <see cref="Base"/> lacks.</summary>
    private sealed record KeyDelta(VersionVector Base, HashSet<byte[]> Members, HashSet<byte[]> Fields)
    {
        public int Elements => Members.Count + Fields.Count;
    }

    /// <summary>The batch's frame (off the store's lock): a large key is encoded now, alone in its batch.</summary>
    private byte[] Encode(OutgoingBatch batch)
    {
        if (batch.Frame is not null)
        {
            return batch.Frame;
        }

        engine.EncodingLarge?.Invoke("batch");
        var writer = new BatchWriter(); // not the shared one: this runs off the lock, and its buffers go with it
        var appended = batch.LargeDelta is { } delta
            ? writer.AppendDelta(batch.Large!, delta.Base, delta.Members, delta.Fields)
            : writer.Append(batch.Large!);
        if (!appended)
        {
            lock (engine.Gate)
            {
                StatesTooLarge++; // the batch goes empty: its ack moves the peer past the key all the same
            }
        }

        return writer.ToFrame(batch.Number);
    }

    /// <summary>The next batch for the peer, or null when it has everything sent (or a catch-up awaits digests).</summary>
    private OutgoingBatch? BuildBatch(PeerState peer)
    {
        if (!peer.PositionOnDisk)
        {
            return null; // a new peer's position first (OnPersisted signals it)
        }

        var number = _nextBatch;
        _batch.Reset();
        var count = 0;
        KeyState? large = null;
        KeyDelta? largeDelta = null;
        long bringsAckedTo;
        var durable = engine.DurableVersion;
        if (peer.CatchUp is null && peer.Sent < _log.Dropped)
        {
            // The log's bound pushed out changes this peer had not been sent (it fell a whole log behind while
            // connected, or they came after the start of the catch-up it just finished): their keys may be in no later
            // entry, so a scan from the next entry would leave them out. A catch-up sends what differs instead.
            StartCatchUp(peer);
        }

        if (peer.CatchUp is { } catchUp)
        {
            while (catchUp.Keys.Count > 0 && count < MaxBatchKeys && _batch.WrittenBytes < MaxBatchBytes)
            {
                var state = catchUp.Keys.Peek();
                if (!state.Removed && state.Version > durable)
                {
                    break; // a local write not in the log yet: sent once the disk writer has it
                }

                if (!state.Removed && state.IsLarge)
                {
                    if (count > 0)
                    {
                        break; // it goes alone, in the next batch
                    }

                    catchUp.Keys.Dequeue();
                    peer.Owed.Remove(state);
                    large = state.CopyForEncoding();
                    count++;
                    break;
                }

                catchUp.Keys.Dequeue();
                if (!state.Removed && Appended(_batch.Append(state)))
                {
                    peer.Owed.Remove(state); // the whole state: whatever the peer lacked of the key is in it
                    count++;
                }
            }

            var done = catchUp.ExchangeDone && catchUp.Keys.Count == 0;
            if (count == 0 && !done)
            {
                return null; // digests or the disk awaited
            }

            // The batch that ends the catch-up brings the peer to where it started (even empty: its ack says so).
            bringsAckedTo = done ? catchUp.From : peer.Acked;
            if (done)
            {
                peer.CatchUp = null;
                peer.CatchUpLastBatch = number;
                if (catchUp.Answers != 0)
                {
                    // Told after this batch: the peer asked for it, and stops asking when it hears the answer.
                    peer.DoneToSend = catchUp.Answers;
                    peer.AskToAnswer = peer.AskToAnswer == catchUp.Answers ? 0 : peer.AskToAnswer;
                }

                // The peer now has every key at least as it was when the catch-up began, where its log scan resumes:
                // nothing before that is owed any more.
                peer.Owed.Clear();
            }
        }
        else
        {
            var since = peer.Sent;
            var i = _log.After(peer.Sent);
            for (; i < _log.End && count < MaxBatchKeys && _batch.WrittenBytes < MaxBatchBytes; i++)
            {
                var entry = _log[i];
                if (entry.Seq > durable)
                {
                    break; // not in this site's log yet: sent once the disk writer has it
                }

                if (count > 0 && entry.State.IsLarge && entry.Source != peer && Matches(peer.Interest, entry.State.Key))
                {
                    break; // a large key may go whole, alone in a batch: the next one, from this entry
                }

                peer.Sent = entry.Seq;
                if (ChangeFor(peer, entry, since) is not { } keySince)
                {
                    continue;
                }

                var delta = TakeDelta(entry.State, keySince);
                if (entry.State.IsLarge && (delta is null || delta.Elements > KeyState.LargeElements))
                {
                    // Whole, or a delta of more elements than a large key has: encoded off the lock, alone in its batch
                    // (a delta's encoding costs as much per element as a whole state's).
                    large = entry.State.CopyForEncoding();
                    largeDelta = delta;
                    count++;
                    break;
                }

                if (Appended(delta is { } d ? _batch.AppendDelta(entry.State, d.Base, d.Members, d.Fields) : _batch.Append(entry.State)))
                {
                    count++;
                }
            }

            bringsAckedTo = peer.Sent;
            if (count == 0)
            {
                if (peer.InFlight.Count == 0)
                {
                    SetAcked(peer, peer.Sent);
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

        _nextBatch++;
        peer.InFlight[number] = bringsAckedTo;
        peer.KeysSent += count;
        peer.BatchesSent++;
        return new OutgoingBatch(number, large is null ? _batch.ToFrame(number) : null, large, largeDelta);
    }

    /// <summary>
    /// Whether the log entry sends its key to the peer, and if so from which version of this site's the peer has the key
    /// (the base of a delta); null when it is skipped:
    /// <list type="bullet">
    /// <item>a key the peer does not need;</item>
    /// <item>a key changed again since: its later entry sends it. Until then the peer has the key only as it was when this
    /// batch began (<paramref name="since"/>), which the later entry's delta must start from, however many batches later
    /// it comes (it may be past what is on disk yet): the peer is owed it (<see cref="PeerState.Owed"/>). A delta based
    /// on the later batch's start instead assumed changes the peer never got, and the peer had to ask for a catch-up;</item>
    /// <item>a change the peer itself sent: its state already holds it. A merge is logged as the peer's only when the
    /// peer's state had seen everything this site's had (<see cref="Engine.KvEngine.Merge(KeyState, object?)"/>), so
    /// the peer also holds any change of the key it was owed.</item>
    /// </list>
    /// </summary>
    private static long? ChangeFor(PeerState peer, in ChangeLog.Entry entry, long since)
    {
        var state = entry.State;
        if (entry.Source == peer)
        {
            // Checked first, without reading the key's state unless something is owed: at a relay a third of the
            // entries are skipped so.
            if (peer.Owed.Count != 0 && state.ChangeSeq == entry.Seq)
            {
                peer.Owed.Remove(state);
            }

            return null;
        }

        var latest = state.ChangeSeq == entry.Seq;

        if (!Matches(peer.Interest, state.Key))
        {
            return null;
        }

        if (!latest)
        {
            // Only a key that can travel as a delta needs the peer's base kept (the earliest stays: the peer has the key
            // as of then). A key without a delta history now is sent whole by its later entry: a history begun after
            // this batch was cut starts past everything in it, so it cannot serve a delta from any base the peer has.
            // Strings and counters never have one: skipping them spares a dictionary insert and removal for each of their
            // superseded changes, half the log at -P 16 (perf of the writing site: ChangeFor 4.9% of the samples before,
            // 2.7% after; SET/s did not move beyond the spread).
            if (state.Deltas is not null)
            {
                peer.Owed.TryAdd(state, since);
            }

            return null;
        }

        return peer.Owed.Count != 0 && peer.Owed.Remove(state, out var owed) ? Math.Min(owed, since) : since;
    }

    /// <summary>
    /// How a changed key goes to a peer having everything up to <paramref name="since"/>: a set or hash whose recent
    /// changes are known as the elements they touched goes as a delta (returned), else whole (null).
    /// </summary>
    private KeyDelta? TakeDelta(KeyState state, long since)
    {
        if (state.Deltas is { } deltas && deltas.TrySince(since, out var baseClock, out var members, out var fields) &&
            members.Count + fields.Count < state.ElementCount)
        {
            DeltasSent++;
            return new KeyDelta(baseClock, members, fields);
        }

        return null;
    }

    /// <summary>Counts a key state too large to send (it stays at this site until it shrinks).</summary>
    private bool Appended(bool appended)
    {
        StatesTooLarge += appended ? 0 : 1;
        return appended;
    }

    /// <summary>Drops what every known peer acknowledged; a tombstone whose delete every peer has is collected then. With
    /// no peer (the last one forgotten, or none ever: a lone site) nobody waits for anything but the disk: a new peer
    /// catches up by digests, and holds nothing of this site's before its position is on disk
    /// (<see cref="PeerState.PositionOnDisk"/>).</summary>
    private void TruncateLog()
    {
        var everyone = _peers.Count == 0 ? Math.Min(engine.CurrentVersion, engine.DurableVersion) : _peers.Values.Min(p => p.Acked);
        _log.TruncateThrough(everyone, entry =>
        {
            if (entry.State.ChangeSeq == entry.Seq && entry.State.IsEmpty && !entry.State.Removed)
            {
                engine.CollectTombstone(entry.State);
            }

            entry.State.Deltas?.TrimThrough(everyone);
        });
        ReleaseForgottenNeeds(everyone);
    }
}
