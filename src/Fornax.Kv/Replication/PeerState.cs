using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// What this site knows of one neighbour, kept across cuts (and, for what it acknowledged, across restarts: on disk):
/// what it acknowledged, what it needs, and the batches in flight. Guarded by the store's lock.
/// </summary>
internal sealed class PeerState(string site)
{
    public string Site { get; } = site;

    /// <summary>Every change of this site up to this version that the peer needs has been acknowledged.</summary>
    public long Acked { get; set; }

    /// <summary>Changes up to this version are sent (in flight or acknowledged).</summary>
    public long Sent { get; set; }

    /// <summary>The prefixes the peer's side of the link needs (a new list starts <see cref="PendingByInterest"/> at zero).</summary>
    public List<byte[]> Interest
    {
        get;
        set
        {
            field = value;
            PendingByInterest = new long[value.Count];
        }
    } = [];

    /// <summary>
    /// The peer has announced <see cref="Interest"/> in this session. Until then no batch is cut and no catch-up asks for
    /// digests: a log entry the peer seemed not to need (an interest not yet heard after a restart is empty, one from an
    /// earlier session may be out of date) was skipped and counted as acknowledged, and a delete's tombstone collected
    /// before it left — the later catch-up could not send what this site no longer held.
    /// </summary>
    public bool InterestHeard { get; set; }

    /// <summary>What this site last told the peer its side needs.</summary>
    public List<byte[]>? AnnouncedInterest { get; set; }

    /// <summary>The replicator's interests version when <see cref="AnnouncedInterest"/> was last checked.</summary>
    public long AnnouncedAt { get; set; }

    /// <summary>The epoch of the peer's store that <see cref="Acked"/> is about (another epoch: its data was replaced).</summary>
    public long PeerEpoch { get; set; }

    /// <summary><see cref="Acked"/> changed since the disk writer last took it.</summary>
    public bool PositionDirty { get; set; }

    /// <summary>
    /// This site's disk holds a position of the peer (restored from it, or written since the peer first linked): false
    /// for a new peer until then, and nothing of this site's keys is sent to it before. A site that finds no position on
    /// its disk knows no neighbour holds its keys, so it has no neighbour to keep tombstones for.
    /// </summary>
    public bool PositionOnDisk { get; set; } = true;

    /// <summary>The disk writer took this peer's first position into the write it is making.</summary>
    public bool PositionBeingWritten { get; set; }

    /// <summary>A catch-up was cut short: the next session starts one again (kept on disk: the changes skipped before
    /// it, which it makes up for, count as acknowledged, and a restart would not start it again by itself).</summary>
    public bool NeedsCatchUp { get; set; }

    /// <summary>The last batch of a finished catch-up, while its acknowledgement is awaited (0: none). A session that
    /// ends before it is acknowledged owes the catch-up again: its keys may not have arrived.</summary>
    public long CatchUpLastBatch { get; set; }

    /// <summary>A catch-up is running, owed (cut short), or its last batch is not acknowledged yet: the peer may lack
    /// keys whatever its acknowledged position says.</summary>
    public bool CatchingUp => CatchUp is not null || NeedsCatchUp || CatchUpLastBatch != 0;

    /// <summary>
    /// This site acknowledged changes of the peer's that it did not keep — deltas whose base it lacked, keys of a
    /// keyspace it no longer carried, keys it dropped with a keyspace it gave up — and the peer, counting them delivered,
    /// would never send them again: the stamp of the latest such loss (0: none). The peer is asked for a catch-up
    /// (<see cref="Frames.CatchUpWanted"/> with the stamp) in every session until a catch-up it began after the ask ends
    /// (<see cref="Frames.CatchUpDone"/> echoing the stamp). Kept on disk with the position: a restart must not forget it.
    /// </summary>
    public long LostAt { get; set; }

    /// <summary>The <see cref="LostAt"/> stamp asked for in this session (0: none yet).</summary>
    public long AskSent { get; set; }

    /// <summary>The stamp of the peer's latest ask in this session: the catch-up begun for it answers it (0: none).</summary>
    public long AskToAnswer { get; set; }

    /// <summary>A <see cref="Frames.CatchUpDone"/> for the peer, to send after the last batch of the catch-up it answers.</summary>
    public long DoneToSend { get; set; }

    /// <summary>The digest exchange and the keys it found missing at the peer, while one runs.</summary>
    public CatchUp? CatchUp { get; set; }

    /// <summary>Digest replies still to come for requests of a catch-up since replaced (they are skipped).</summary>
    public int StaleDigestReplies { get; set; }

    /// <summary>Answers to the peer's digest requests, for the sender to send. The receiver never writes to the stream
    /// itself: were both sides' receivers waiting on a send while both senders waited on flow control, neither would
    /// read again.</summary>
    public Queue<byte[]> DigestReplies { get; } = new();

    /// <summary>The peer's batches applied here, acknowledged once this site's changes up to the version are on disk
    /// (an acknowledged change is never lost to a restart here, so the peer never sends it again).</summary>
    public Queue<(long Batch, long Version)> PendingAcks { get; } = new();

    /// <summary>Batch number → the version it brings <see cref="Acked"/> to once acknowledged.</summary>
    public SortedDictionary<long, long> InFlight { get; } = [];

    /// <summary>The peer's incarnation and the last of its batches applied here (a replayed batch is only acknowledged).</summary>
    public long PeerIncarnation { get; set; }

    /// <summary>Changed keys this peer needs and has not acknowledged (kept by the replicator as changes and acks come).</summary>
    public long PendingKeys { get; set; }

    /// <summary><see cref="PendingKeys"/> per prefix of <see cref="Interest"/>, by its index there (counted on every change and
    /// acknowledgement: an index, not a dictionary keyed by the prefix's bytes, which hashed them each time).</summary>
    public long[] PendingByInterest { get; private set; } = [];

    public long LastAppliedBatch { get; set; }

    public bool Connected { get; set; }

    /// <summary>Ends the session running with the peer (null while none runs): a forgotten neighbour's session ends.</summary>
    public CancellationTokenSource? Session { get; set; }

    public DateTimeOffset? OldestUnackedChange { get; set; }

    public long BytesSent { get; set; }

    public long BytesReceived { get; set; }

    public long KeysSent { get; set; }

    public long KeysReceived { get; set; }

    public long BatchesSent { get; set; }

    /// <summary>
    /// Keys whose change the peer has not got although <see cref="Sent"/> passed it (the key changed again, and its later
    /// entry is still to be sent), with the version of this site's as of which the peer has the key. Removed when the
    /// key is sent to the peer.
    /// </summary>
    public Dictionary<KeyState, long> Owed { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>Catch-ups (digest exchanges) started towards the peer.</summary>
    public long CatchUps { get; set; }

    /// <summary>Deltas received from the peer whose base this site lacked (each such batch asks for a catch-up).</summary>
    public long DeltasWithoutBase { get; set; }

    public SemaphoreSlim Wake { get; } = new(0);

    public bool WakeRequested { get; set; }

    public void Signal()
    {
        if (!WakeRequested)
        {
            WakeRequested = true;
            Wake.Release();
        }
    }
}
