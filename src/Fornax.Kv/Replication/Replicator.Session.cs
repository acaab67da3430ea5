using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>One session with a neighbour: hello, then a sender and a receiver over the same stream.</summary>
internal sealed partial class Replicator
{
    private const int MaxQueuedDigestReplies = 8;

    public async Task RunPeerAsync(IReplicationTransport transport, string peerSite, CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sendLock = new SemaphoreSlim(1, 1);
        long known;
        lock (engine.Gate)
        {
            known = _peers.TryGetValue(peerSite, out var met) ? met.PeerEpoch : 0;
        }

        await SendAsync(transport, sendLock, Frames.EncodeHello(site, incarnation, engine.Epoch, [], known, ForgottenEpochsToName()), null, session.Token);
        var hello = Frames.DecodeHello((await transport.ReceiveAsync(session.Token) ?? throw new ReplicationProtocolException("the stream ended before the peer's hello")).Span);
        if (hello.Site != peerSite)
        {
            // The link authenticated the neighbour; a hello naming another site would take over that site's position
            // (what it acknowledged, what it needs) while it is away.
            throw new ReplicationProtocolException($"the peer calls itself \"{hello.Site}\" on the link with \"{peerSite}\"");
        }

        var peer = Attach(peerSite, hello, session);
        try
        {
            var sender = SendLoopAsync(peer, transport, sendLock, session.Token);
            try
            {
                await ReceiveLoopAsync(peer, transport, session.Token);
            }
            finally
            {
                await session.CancelAsync();
                try
                {
                    await sender;
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
        finally
        {
            Detach(peer);
        }
    }

    private PeerState Attach(string peerSite, HelloFrame hello, CancellationTokenSource session)
    {
        var (peerIncarnation, peerEpoch) = (hello.Incarnation, hello.Epoch);
        lock (engine.Gate)
        {
            if (peerSite == site)
            {
                throw new ReplicationProtocolException($"the peer calls itself \"{peerSite}\", this site's own name");
            }

            // Before anything of either side's record changes: refused, it is refused again at every later hello.
            RefuseIfEitherReplicatedWithAForgottenStore(peerSite, hello);

            if (!_peers.TryGetValue(peerSite, out var peer))
            {
                // A site forgotten here that links again (joined again) is a new neighbour, needing what it last did.
                RefuseIfForgottenWithItsData(peerSite, peerEpoch);
                _peers[peerSite] = peer = new PeerState(peerSite)
                {
                    Interest = _forgotten.Remove(peerSite, out var forgotten) ? forgotten.Interest : [],
                    PositionOnDisk = !engine.KeepsPositions, // nothing sent before its position is on disk
                    PositionDirty = true,
                };
                engine.PositionsChanged();
                _interestsVersion++;
            }

            if (peer.Connected)
            {
                throw new ReplicationProtocolException($"\"{peerSite}\" already has a replication session with this site");
            }

            peer.Connected = true;
            peer.Session = session;
            peer.StaleDigestReplies = 0;
            peer.DigestReplies.Clear();
            peer.InFlight.Clear();
            peer.PendingAcks.Clear();
            peer.AnnouncedInterest = null;
            peer.InterestHeard = false;
            peer.AskSent = 0; // asked again in this session, if still owed (the last session's ask may never have arrived)
            peer.AskToAnswer = 0;
            peer.DoneToSend = 0;
            if (peer.PeerEpoch != peerEpoch)
            {
                // The peer's data is new (or was replaced): what it acknowledged before is not there.
                peer.PeerEpoch = peerEpoch;
                peer.Acked = 0;
                Recount(peer);
                peer.PositionDirty = true;
                engine.PositionsChanged();
            }

            peer.Sent = peer.Acked;
            if (peer.PeerIncarnation != peerIncarnation)
            {
                peer.PeerIncarnation = peerIncarnation;
                peer.LastAppliedBatch = 0; // its batch numbers start again
            }

            // A peer restarted on its data resumes from what it acknowledged (it acknowledges only what is on its disk).
            // A new peer, or one behind what the log still holds, catches up by digests, not from history.
            if (peer.Acked == 0 || peer.NeedsCatchUp || peer.Acked < _log.Dropped)
            {
                StartCatchUp(peer);
            }

            peer.Signal();
            return peer;
        }
    }

    private void Detach(PeerState peer)
    {
        lock (engine.Gate)
        {
            peer.Connected = false;
            peer.Session = null;
            peer.DigestReplies.Clear();
            peer.InFlight.Clear();
            peer.PendingAcks.Clear();
            peer.Sent = peer.Acked;
            if (peer.CatchUp is not null || peer.CatchUpLastBatch != 0)
            {
                // Starts over with the next session: cut short, or ended with batches the peer may never have got.
                peer.CatchUp = null;
                peer.CatchUpLastBatch = 0;
                peer.NeedsCatchUp = true;
            }
        }
    }

    private async Task SendLoopAsync(PeerState peer, IReplicationTransport transport, SemaphoreSlim sendLock, CancellationToken ct)
    {
        while (true)
        {
            byte[]? interest = null;
            byte[]? ack = null;
            byte[]? reply = null;
            byte[]? request = null;
            byte[]? done = null;
            OutgoingBatch? outgoing = null;
            lock (engine.Gate)
            {
                if (peer.LostAt != 0 && peer.AskSent != peer.LostAt)
                {
                    peer.AskSent = peer.LostAt;
                    request = Frames.EncodeNumber(Frames.CatchUpWanted, peer.LostAt);
                }

                peer.WakeRequested = false;
                peer.DigestReplies.TryDequeue(out reply);
                if (peer.AnnouncedInterest is null || peer.AnnouncedAt != _interestsVersion)
                {
                    // Only when a keyspace or a neighbour's interest changed: the send loop wakes on every write.
                    var wanted = InterestFor(peer);
                    peer.AnnouncedAt = _interestsVersion;
                    if (peer.AnnouncedInterest is null || !wanted.SequenceEqual(peer.AnnouncedInterest, ByteArrayComparer.Instance))
                    {
                        peer.AnnouncedInterest = wanted;
                        interest = Frames.EncodeInterest(wanted);
                    }
                }

                ack = TakeAck(peer);
                if (peer.InterestHeard && request is null && peer.CatchUp?.TakeRequest(Frames.MaxDigestRanges) is { } ranges)
                {
                    request = Frames.EncodeDigestRequest(peer.CatchUp.Depth, ranges);
                }

                if (peer.InterestHeard && peer.InFlight.Count < Window)
                {
                    outgoing = BuildBatch(peer);
                }

                if (peer.DoneToSend != 0)
                {
                    done = Frames.EncodeNumber(Frames.CatchUpDone, peer.DoneToSend);
                    peer.DoneToSend = 0;
                }
            }

            var batch = outgoing is { } cut ? Encode(cut) : null;

            foreach (var frame in new[] { interest, ack, reply, request, batch, done })
            {
                // A batch over the frame limit (a big key's whole state) goes as parts, one after the other.
                foreach (var part in frame is null ? [] : Frames.Cut(frame))
                {
                    await SendAsync(transport, sendLock, part, peer, ct);
                }
            }

            if (batch is null && interest is null && request is null && reply is null)
            {
                await peer.Wake.WaitAsync(ct);
            }
        }
    }

    private async Task ReceiveLoopAsync(PeerState peer, IReplicationTransport transport, CancellationToken ct)
    {
        var assembly = new FrameAssembly();
        while (await transport.ReceiveAsync(ct) is { } frame)
        {
            if (frame.Length > Frames.MaxFrameBytes)
            {
                throw new ReplicationProtocolException($"a frame of {frame.Length} bytes is over the limit of {Frames.MaxFrameBytes}");
            }

            lock (engine.Gate)
            {
                peer.BytesReceived += frame.Length;
            }

            var type = frame.Span.IsEmpty ? (byte)0 : frame.Span[0];
            if (type == Frames.Part)
            {
                if (assembly.Add(frame.Span) is { } whole)
                {
                    Dispatch(peer, whole);
                }
            }
            else if (assembly.InProgress)
            {
                throw new ReplicationProtocolException($"a frame of type {type} in the middle of a cut frame");
            }
            else
            {
                Dispatch(peer, frame.Span);
            }
        }
    }

    private void Dispatch(PeerState peer, ReadOnlySpan<byte> frame)
    {
        switch (frame.IsEmpty ? (byte)0 : frame[0])
        {
            case Frames.Batch:
                var (number, states) = Frames.DecodeBatch(frame);
                ApplyBatch(peer, number, states);
                break;
            case Frames.DigestRequest:
                var (depth, ranges) = Frames.DecodeDigestRequest(frame);
                QueueDigestReply(peer, AnswerDigests(peer, depth, ranges));
                break;
            case Frames.DigestReply:
                OnDigests(peer, frame);
                break;
            case Frames.Ack:
                OnAck(peer, Frames.DecodeAck(frame));
                break;
            case Frames.Interest:
                OnInterest(peer, Frames.DecodeInterest(frame));
                break;
            case Frames.CatchUpWanted:
                OnCatchUpWanted(peer, Frames.DecodeNumber(frame, Frames.CatchUpWanted));
                break;
            case Frames.CatchUpDone:
                OnCatchUpDone(peer, Frames.DecodeNumber(frame, Frames.CatchUpDone));
                break;
            default:
                throw new ReplicationProtocolException($"unexpected frame type {(frame.IsEmpty ? -1 : frame[0])}");
        }
    }

    /// <summary>
    /// Hands the reply to the sender. A requester awaits each reply before it asks again, and asks anew only when its
    /// catch-up starts over (a changed interest), so a few replies at most wait here; more is a peer asking without
    /// reading the answers: the link is dropped rather than the replies kept.
    /// </summary>
    private void QueueDigestReply(PeerState peer, byte[] reply)
    {
        lock (engine.Gate)
        {
            if (peer.DigestReplies.Count >= MaxQueuedDigestReplies)
            {
                throw new ReplicationProtocolException($"{MaxQueuedDigestReplies} digest replies are still unsent and the peer asks again");
            }

            peer.DigestReplies.Enqueue(reply);
            peer.Signal();
        }
    }

    private void ApplyBatch(PeerState peer, long number, List<KeyState> states)
    {
        lock (engine.Gate)
        {
            peer.KeysReceived += states.Count;
            if (number <= peer.LastAppliedBatch)
            {
                // A replay: already applied (merging again would change nothing either); acknowledged again.
                peer.PendingAcks.Enqueue((number, engine.CurrentVersion));
                peer.Signal();
                return;
            }

            peer.LastAppliedBatch = number;
        }

        // Only keys this site holds or relays: a peer cannot push others (nor, after a placement change, old ones). A
        // large key's whole state comes alone in its batch, and is merged off the lock when this site holds it already.
        var (lacking, refused) = (0, 0);
        if (states is not [{ } large] || !engine.TryMergeLargeOffLock(large, peer, state => Carries(state.Key)))
        {
            engine.MergeAll(states, peer, state => Carries(state.Key), out lacking, out refused);
        }

        // The merged changes were logged with this peer as their source, which wakes only the other peers. This peer's
        // sender must still step over them (it sends them nowhere) so that its acknowledged version passes them: until
        // it does, the log keeps them and their tombstones are never collected. It also sends the ack, once the merged
        // changes are on disk here.
        lock (engine.Gate)
        {
            if (lacking + refused > 0)
            {
                // Acknowledged all the same (the peer's log moves on): what was not kept comes by a catch-up. A key
                // refused is one of a keyspace this site stopped carrying while the batch was on its way.
                MarkLost(peer);
            }

            DeltasWithoutBase += lacking;
            peer.DeltasWithoutBase += lacking;
            peer.PendingAcks.Enqueue((number, engine.CurrentVersion));
            peer.Signal();
        }
    }

    /// <summary>
    /// The peer acknowledged changes it did not keep (<see cref="PeerState.LostAt"/>): a catch-up sends it the whole
    /// states that differ, and its end is told with the ask's stamp. A catch-up running already starts over: it may have
    /// compared the ranges of the keys lost before they were lost, and would not look at them again.
    /// </summary>
    private void OnCatchUpWanted(PeerState peer, long stamp)
    {
        lock (engine.Gate)
        {
            if (stamp == peer.AskToAnswer && peer.CatchUp is not null)
            {
                return; // the same ask again: the catch-up begun for it serves
            }

            peer.AskToAnswer = stamp;
            StartCatchUp(peer);
        }
    }

    /// <summary>A catch-up the peer began after this site's ask has ended: what was lost before the ask is back here.
    /// An answer to an earlier ask changes nothing (a later loss is still to be answered).</summary>
    private void OnCatchUpDone(PeerState peer, long stamp)
    {
        lock (engine.Gate)
        {
            if (stamp == peer.LostAt)
            {
                peer.LostAt = 0;
                peer.PositionDirty = true;
                engine.PositionsChanged();
            }
        }
    }

    /// <summary>The ack of the last batch whose changes are now on disk here (acks are cumulative), or null.</summary>
    private byte[]? TakeAck(PeerState peer)
    {
        long? batch = null;
        var durable = engine.DurableVersion;
        while (peer.PendingAcks.TryPeek(out var pending) && pending.Version <= durable)
        {
            batch = peer.PendingAcks.Dequeue().Batch;
        }

        return batch is { } number ? Frames.EncodeAck(number) : null;
    }

    private void OnAck(PeerState peer, long number)
    {
        lock (engine.Gate)
        {
            if (!peer.InFlight.ContainsKey(number))
            {
                return; // an old session's, or a duplicate
            }

            foreach (var (batch, version) in peer.InFlight.ToList())
            {
                if (batch > number)
                {
                    break;
                }

                peer.InFlight.Remove(batch);
                SetAcked(peer, version);
            }

            if (peer.CatchUpLastBatch != 0 && number >= peer.CatchUpLastBatch)
            {
                peer.CatchUpLastBatch = 0; // the catch-up is wholly at the peer: no longer owed
                peer.PositionDirty = true;
                engine.PositionsChanged();
            }

            TruncateLog();
            peer.Signal();
            ReplicasMoved();
        }
    }

    private void OnInterest(PeerState peer, List<byte[]> interest)
    {
        lock (engine.Gate)
        {
            var grew = interest.Any(p => !peer.Interest.Contains(p, ByteArrayComparer.Instance));
            if (grew || interest.Count != peer.Interest.Count)
            {
                peer.PositionDirty = true; // kept on disk with the position
                engine.PositionsChanged();
            }

            peer.Interest = interest;
            peer.InterestHeard = true;
            peer.Signal();
            _interestsVersion++;
            RecomputeCarried();
            if (grew)
            {
                StartCatchUp(peer);
            }

            ReplicasMoved();
        }
    }

    private async Task SendAsync(IReplicationTransport transport, SemaphoreSlim sendLock, byte[] frame, PeerState? peer, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            await transport.SendAsync(frame, ct);
        }
        finally
        {
            sendLock.Release();
        }

        if (peer is not null)
        {
            lock (engine.Gate)
            {
                peer.BytesSent += frame.Length;
            }
        }
    }
}
