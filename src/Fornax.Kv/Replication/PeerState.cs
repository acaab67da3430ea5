namespace Fornax.Kv.Replication;

/// <summary>
/// What this site knows of one neighbour, kept across cuts (not restarts): what it acknowledged, what it needs, and
/// the batches in flight. Guarded by the store's lock.
/// </summary>
internal sealed class PeerState(string site)
{
    public string Site { get; } = site;

    /// <summary>Every change of this site up to this version that the peer needs has been acknowledged.</summary>
    public long Acked { get; set; }

    /// <summary>Changes up to this version are sent (in flight or acknowledged).</summary>
    public long Sent { get; set; }

    /// <summary>The prefixes the peer's side of the link needs.</summary>
    public List<byte[]> Interest { get; set; } = [];

    /// <summary>What this site last told the peer its side needs.</summary>
    public List<byte[]>? AnnouncedInterest { get; set; }

    /// <summary>A full copy was cut short: the next session starts one again.</summary>
    public bool NeedsFullSync { get; set; }

    /// <summary>Batch number → the version it brings <see cref="Acked"/> to once acknowledged.</summary>
    public SortedDictionary<long, long> InFlight { get; } = [];

    public long NextBatch { get; set; } = 1;

    /// <summary>A full copy (checkpoint) is being sent: the slot it is at, and the version it started at.</summary>
    public int? FullSyncSlot { get; set; }

    public long FullSyncFrom { get; set; }

    /// <summary>The peer's incarnation and the last of its batches applied here (a replayed batch is only acknowledged).</summary>
    public long PeerIncarnation { get; set; }

    public long LastAppliedBatch { get; set; }

    public bool Connected { get; set; }

    public DateTimeOffset? OldestUnackedChange { get; set; }

    public long BytesSent { get; set; }

    public long BytesReceived { get; set; }

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
