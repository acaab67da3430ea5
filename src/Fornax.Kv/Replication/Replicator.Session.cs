using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>One session with a neighbour: hello, then a sender and a receiver over the same stream.</summary>
internal sealed partial class Replicator
{
    public async Task RunPeerAsync(IReplicationTransport transport, CancellationToken ct)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sendLock = new SemaphoreSlim(1, 1);
        await SendAsync(transport, sendLock, Frames.EncodeHello(site, incarnation, []), null, session.Token);
        var hello = await transport.ReceiveAsync(session.Token) ?? throw new ReplicationProtocolException("the stream ended before the peer's hello");
        var (peerSite, peerIncarnation, _) = Frames.DecodeHello(hello.Span);
        var peer = Attach(peerSite, peerIncarnation);
        try
        {
            var sender = SendLoopAsync(peer, transport, sendLock, session.Token);
            try
            {
                await ReceiveLoopAsync(peer, transport, sendLock, session.Token);
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

    private PeerState Attach(string peerSite, long peerIncarnation)
    {
        lock (engine.Gate)
        {
            if (peerSite == site)
            {
                throw new ReplicationProtocolException($"the peer calls itself \"{peerSite}\", this site's own name");
            }

            if (!_peers.TryGetValue(peerSite, out var peer))
            {
                _peers[peerSite] = peer = new PeerState(peerSite);
            }

            if (peer.Connected)
            {
                throw new ReplicationProtocolException($"\"{peerSite}\" already has a replication session with this site");
            }

            peer.Connected = true;
            peer.InFlight.Clear();
            peer.AnnouncedInterest = null;
            peer.Sent = peer.Acked;
            var restarted = peer.PeerIncarnation != peerIncarnation;
            peer.PeerIncarnation = peerIncarnation;
            if (restarted)
            {
                peer.LastAppliedBatch = 0;
            }

            // A new peer, one that restarted (it may have lost its last unsynced writes), or one behind what the log
            // still holds catches up from a full copy, not from history.
            if (peer.Acked == 0 || restarted || peer.NeedsFullSync || peer.Acked < _log.Dropped)
            {
                StartFullSync(peer);
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
            peer.InFlight.Clear();
            peer.Sent = peer.Acked;
            if (peer.FullSyncSlot is not null)
            {
                peer.FullSyncSlot = null;
                peer.NeedsFullSync = true; // starts over with the next session
            }
        }
    }

    private async Task SendLoopAsync(PeerState peer, IReplicationTransport transport, SemaphoreSlim sendLock, CancellationToken ct)
    {
        while (true)
        {
            byte[]? interest = null;
            byte[]? batch = null;
            lock (engine.Gate)
            {
                peer.WakeRequested = false;
                var wanted = InterestFor(peer);
                if (peer.AnnouncedInterest is null || !wanted.SequenceEqual(peer.AnnouncedInterest, ByteArrayComparer.Instance))
                {
                    peer.AnnouncedInterest = wanted;
                    interest = Frames.EncodeInterest(wanted);
                }

                if (peer.InFlight.Count < Window)
                {
                    batch = BuildBatch(peer);
                }
            }

            if (interest is not null)
            {
                await SendAsync(transport, sendLock, interest, peer, ct);
            }

            if (batch is not null)
            {
                await SendAsync(transport, sendLock, batch, peer, ct);
                continue;
            }

            if (interest is null)
            {
                await peer.Wake.WaitAsync(ct);
            }
        }
    }

    private async Task ReceiveLoopAsync(PeerState peer, IReplicationTransport transport, SemaphoreSlim sendLock, CancellationToken ct)
    {
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

            switch (frame.Span.IsEmpty ? (byte)0 : frame.Span[0])
            {
                case Frames.Batch:
                    var (number, states) = Frames.DecodeBatch(frame.Span);
                    ApplyBatch(peer, number, states);
                    await SendAsync(transport, sendLock, Frames.EncodeAck(number), peer, ct);
                    break;
                case Frames.Ack:
                    OnAck(peer, Frames.DecodeAck(frame.Span));
                    break;
                case Frames.Interest:
                    OnInterest(peer, Frames.DecodeInterest(frame.Span));
                    break;
                default:
                    throw new ReplicationProtocolException($"unexpected frame type {(frame.Span.IsEmpty ? -1 : frame.Span[0])}");
            }
        }
    }

    private void ApplyBatch(PeerState peer, long number, List<KeyState> states)
    {
        lock (engine.Gate)
        {
            if (number <= peer.LastAppliedBatch)
            {
                return; // a replay: already applied (merging again would change nothing either)
            }

            peer.LastAppliedBatch = number;
        }

        foreach (var state in states)
        {
            // Only keys this site holds or relays: a peer cannot push others (nor, after a placement change, old ones).
            bool carried;
            lock (engine.Gate)
            {
                carried = Carries(state.Key);
            }

            if (carried)
            {
                engine.Merge(state, peer);
            }
        }

        // The merged changes were logged with this peer as their source, which wakes only the other peers. This peer's
        // sender must still step over them (it sends them nowhere) so that its acknowledged version passes them: until
        // it does, the log keeps them and their tombstones are never collected.
        lock (engine.Gate)
        {
            peer.Signal();
        }
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
                peer.Acked = Math.Max(peer.Acked, version);
            }

            TruncateLog();
            peer.Signal();
        }
    }

    private void OnInterest(PeerState peer, List<byte[]> interest)
    {
        lock (engine.Gate)
        {
            var grew = interest.Any(p => !peer.Interest.Contains(p, ByteArrayComparer.Instance));
            peer.Interest = interest;
            RecomputeCarried();
            if (grew)
            {
                StartFullSync(peer);
            }
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
