using System.Buffers;
using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// The replication state of one store: the prefixes it carries (its own keyspaces and those its neighbours need
/// through it), the change log, and one <see cref="PeerState"/> per neighbour. Every method runs under the store's lock
/// unless it says otherwise.
/// </summary>
internal sealed partial class Replicator(KvEngine engine, string site, long incarnation) : IKvReplication
{
    /// <summary>At most this many batches unacknowledged per peer (a window, so a slow link does not buffer without bound).</summary>
    private const int Window = 8;

    /// <summary>A batch closes at 256 KiB or 1,024 keys, well under the frame limit and gRPC's 4 MiB message default.</summary>
    private const int MaxBatchBytes = 256 << 10;
    private const int MaxBatchKeys = 1024;

    private readonly Dictionary<string, PeerState> _peers = [];
    private readonly ChangeLog _log = new(engine.LogEntries);
    private readonly BatchWriter _batch = new();

    /// <summary>The next batch's number: one sequence for every peer in this incarnation. A neighbour forgotten and met
    /// again has a new state here; numbered from 1 again, its first batches looked like replays to the other side.</summary>
    private long _nextBatch = 1;

    private List<byte[]> _own = [];

    /// <summary>Counts changes to <see cref="_own"/>, to the peers, and to their interests (what a peer is told it needs follows them).</summary>
    private long _interestsVersion;
    private List<byte[]> _carried = [];

    public string Site => site;

    public long Epoch => engine.Epoch;

    public bool Carries(ReadOnlySpan<byte> key) => CarriedPrefix(key) is not null;

    /// <summary>The first carried prefix <paramref name="key"/> starts with (its keyspace, for WAIT), or null.</summary>
    private byte[]? CarriedPrefix(ReadOnlySpan<byte> key) => FirstMatch(_carried, key);

    /// <summary>A key changed (locally, or merged from <paramref name="source"/>): log it and wake the peers that need it.
    /// Returns the carried prefix it was logged under (a key this site carries for other sites), or null: not logged.</summary>
    public byte[]? OnChanged(KeyState state, PeerState? source)
    {
        if (CarriedPrefix(state.Key) is not { } keyspace)
        {
            return null;
        }

        DeltaHistory.Record(state, state.ChangeSeq);
        var (previousSeq, previousAt) = (state.LoggedSeq, state.LoggedAt);
        if (_log.Add(state, source, engine.NowUnixMs()) is { } dropped)
        {
            Uncount(dropped);
        }

        state.LoggedSeq = state.ChangeSeq;
        state.LoggedAt = _log.Position;
        CountLogged(state, previousSeq, previousAt, source);
        foreach (var peer in _peers.Values)
        {
            if (peer.Connected && peer != source)
            {
                peer.Signal();
            }
        }

        return keyspace;
    }

    /// <summary>More changes reached the disk: peers waiting for them (or for their first position) may send. A site
    /// with no neighbour collects its tombstones now: no other site waits for its deletes.</summary>
    public void OnPersisted()
    {
        foreach (var peer in _peers.Values)
        {
            if (peer.PositionBeingWritten)
            {
                peer.PositionBeingWritten = false;
                peer.PositionOnDisk = true;
            }

            if (peer.Connected)
            {
                peer.Signal();
            }
        }

        if (_peers.Count == 0)
        {
            TruncateLog();
        }
    }

    public void SetKeyspaces(IEnumerable<string> prefixes)
    {
        var own = prefixes.Distinct().Select(Encoding.UTF8.GetBytes).ToList();
        lock (engine.Gate)
        {
            _own = own;
            _interestsVersion++;
            RecomputeCarried();
        }
    }

    /// <summary>
    /// Carried = this site's own prefixes, and the ones it relays: needed on the sides of two neighbours or more (a
    /// forgotten neighbour's last needs count: <see cref="_forgotten"/>).
    /// Keys under a prefix no longer carried are dropped here; when the set grew, every connected peer gets a full copy
    /// of what it needs (the keys that were local until now included).
    /// </summary>
    private void RecomputeCarried()
    {
        var relayed = _peers.Values.Select(p => p.Interest).Concat(_forgotten.Values.Select(f => f.Interest))
            .SelectMany(interest => interest.Distinct(ByteArrayComparer.Instance))
            .GroupBy(p => p, ByteArrayComparer.Instance)
            .Where(g => g.Count() >= 2)
            .Select(g => g.Key);
        var carried = _own.Concat(relayed).Distinct(ByteArrayComparer.Instance).ToList();
        var grew = carried.Any(p => !_carried.Contains(p, ByteArrayComparer.Instance));
        var given = _carried.Where(p => !carried.Contains(p, ByteArrayComparer.Instance)).ToList();
        _carried = carried;
        if (given.Count > 0)
        {
            // Only the keys of the prefixes given up: a key outside every keyspace is the site's own (it never left the
            // site, and no other holds it). Dropping every key not carried wiped a relay's own keys whenever a neighbour's
            // interest shrank — as it does for a moment after a neighbour restarts.
            if (engine.DropWhere(key => Matches(given, key) && !Matches(_carried, key)) > 0)
            {
                // The copies dropped hold changes the neighbours sent and this site acknowledged: were the keyspace
                // needed here again (a neighbour's interest comes back after its restart), nobody would send them
                // again — a neighbour that never saw this site's word change learns of it only so.
                foreach (var peer in _peers.Values)
                {
                    MarkLost(peer);
                }
            }
        }

        foreach (var peer in _peers.Values)
        {
            // A key the peer no longer needs (or this site no longer holds) is never sent to it again: nothing is owed.
            foreach (var owed in peer.Owed.Keys.Where(k => !Matches(peer.Interest, k.Key) || !Matches(_carried, k.Key)).ToList())
            {
                peer.Owed.Remove(owed);
            }

            if (grew && peer.Connected)
            {
                StartCatchUp(peer);
            }

            peer.Signal(); // its interest announcement may have changed
        }

        RecountAll();
    }

    /// <summary>What the peer's side needs from this side: this site's own prefixes and those of its other neighbours
    /// (forgotten ones included).</summary>
    private List<byte[]> InterestFor(PeerState peer) =>
        _own.Concat(_peers.Values.Where(p => p != peer).SelectMany(p => p.Interest)).Concat(_forgotten.Values.SelectMany(f => f.Interest))
            .Distinct(ByteArrayComparer.Instance)
            .OrderBy(p => p, ByteArrayComparer.Instance).ToList();

    /// <summary>Starts a catch-up by digests (<see cref="CatchUp"/>): the peer gets what differs, not a full copy.</summary>
    private void StartCatchUp(PeerState peer)
    {
        peer.NeedsCatchUp = false;
        peer.CatchUpLastBatch = 0;
        peer.PositionDirty = true; // owed until it ends, across a restart
        engine.PositionsChanged();
        if (peer.CatchUp is { Asked: not null, ReplyArrived: false })
        {
            peer.StaleDigestReplies++; // the reply to the request of the catch-up replaced is still on its way
        }

        peer.CatchUp = new CatchUp(engine.CurrentVersion, peer.AskToAnswer);
        peer.CatchUps++;
        peer.Sent = peer.CatchUp.From;
        peer.Signal();
    }

    /// <summary>This site acknowledged changes of the peer's that it did not keep: it asks the peer to catch it up, until
    /// a catch-up begun after the ask ends (<see cref="PeerState.LostAt"/>, kept on disk).</summary>
    private void MarkLost(PeerState peer)
    {
        peer.LostAt = engine.NextStamp();
        peer.PositionDirty = true;
        engine.PositionsChanged();
        peer.Signal();
    }

    private void SetAcked(PeerState peer, long acked)
    {
        if (acked > peer.Acked)
        {
            UncountAcked(peer, peer.Acked, acked);
            peer.Acked = acked;
            peer.PositionDirty = true;
            engine.PositionsChanged();
            ReplicasMoved();
        }
    }

    /// <summary>
    /// After a restart: the neighbours and what each acknowledged (from disk), and the change log rebuilt from each key's
    /// last change sequence (stored with the key), so a neighbour resumes from where it was, not from a full copy.
    /// </summary>
    public void Restore(List<PeerPosition> restored)
    {
        foreach (var forgotten in restored.Where(p => p.Forgotten))
        {
            // The version is kept in the marker's acknowledged field; a marker of an older build has none: held until
            // the neighbours have everything this site has now (which includes everything it had at the forget).
            _forgotten[forgotten.Site] = new ForgottenPeer(forgotten.Epoch, forgotten.Interest, forgotten.Acked != 0 ? forgotten.Acked : engine.CurrentVersion);
        }

        var positions = restored.Where(p => !p.Forgotten).ToList();
        foreach (var (peerSite, epoch, acked, lostAt, owed, interest) in positions)
        {
            // The neighbour's interest as it last said it: what this site relays, and what it tells its other
            // neighbours it needs, stay as they were until the neighbour speaks (heard as nothing, a relayed keyspace
            // was given up and its copies dropped, to be fetched again moments later, at each restart).
            _peers[peerSite] = new PeerState(peerSite) { PeerEpoch = epoch, Acked = acked, Sent = acked, LostAt = lostAt, NeedsCatchUp = owed, Interest = interest };
            _interestsVersion++;
        }

        if (positions.Count == 0)
        {
            RecomputeCarried(); // what forgotten neighbours needed, if any
            // No neighbour ever held this site's keys (none is on disk, and none is sent a key before it is): the
            // tombstones kept wait for nobody.
            foreach (var tombstone in engine.Table.All().Where(s => s.IsEmpty && !s.Removed).ToList())
            {
                engine.CollectTombstone(tombstone);
            }

            return;
        }

        var changed = engine.Table.All().Where(s => s.ChangeSeq > 0).ToList();
        changed.Sort((x, y) => x.ChangeSeq.CompareTo(y.ChangeSeq));
        foreach (var state in changed)
        {
            _log.Add(state, null, engine.NowUnixMs());
            state.LoggedSeq = state.ChangeSeq;
            state.LoggedAt = _log.Position;
        }

        RecomputeCarried();
    }

    /// <summary>For the disk writer: every neighbour's position when one changed (or one was forgotten) since the last
    /// call, else null.</summary>
    public List<PeerPosition>? TakePositions()
    {
        if (!_positionForgotten && !_peers.Values.Any(p => p.PositionDirty))
        {
            return null;
        }

        _positionForgotten = false;

        foreach (var peer in _peers.Values)
        {
            peer.PositionDirty = false;
            peer.PositionBeingWritten |= !peer.PositionOnDisk;
        }

        return
        [
            .. _peers.Values.Select(p => new PeerPosition(p.Site, p.PeerEpoch, p.Acked, p.LostAt, p.CatchingUp, p.Interest)),
            .. _forgotten.Select(f => new PeerPosition(f.Key, f.Value.Epoch, f.Value.HeldUntil, 0, false, f.Value.Interest) { Forgotten = true }),
        ];
    }

    private static bool Matches(List<byte[]> prefixes, ReadOnlySpan<byte> key) => FirstMatch(prefixes, key) is not null;

    private static byte[]? FirstMatch(List<byte[]> prefixes, ReadOnlySpan<byte> key)
    {
        foreach (var prefix in prefixes)
        {
            if (key.StartsWith(prefix))
            {
                return prefix;
            }
        }

        return null;
    }

    public List<Engine.KvPeerStats> Stats()
    {
        var now = engine.NowUnixMs();
        var stats = new List<Engine.KvPeerStats>();
        foreach (var peer in _peers.Values)
        {
            var oldest = OldestPending(peer);
            stats.Add(new Engine.KvPeerStats(peer.Site, peer.Connected, peer.PendingKeys, TimeSpan.FromMilliseconds(oldest is { } t ? Math.Max(0, now - t) : 0), peer.BytesSent, peer.BytesReceived)
            {
                KeysSent = peer.KeysSent,
                KeysReceived = peer.KeysReceived,
                BatchesSent = peer.BatchesSent,
                CatchUps = peer.CatchUps,
                DeltasWithoutBase = peer.DeltasWithoutBase,
            });
        }

        return stats;
    }
}
