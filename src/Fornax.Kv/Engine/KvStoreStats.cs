namespace Fornax.Kv.Engine;

/// <summary>A snapshot of a store's figures.</summary>
public sealed record KvStoreStats
{
    /// <summary>Keys holding a value (DBSIZE).</summary>
    public long Keys { get; init; }

    /// <summary>Keys with an expiry.</summary>
    public long KeysWithExpiry { get; init; }

    /// <summary>Tombstones kept until every replica has seen the delete.</summary>
    public long Tombstones { get; init; }

    /// <summary>Approximate bytes of keys, values and CRDT metadata in memory.</summary>
    public long Bytes { get; init; }

    public KvDurability Durability { get; init; }

    /// <summary>Records read from disk at start-up.</summary>
    public long RecordsLoaded { get; init; }

    /// <summary>Keys that clients' read commands found (INFO stats' keyspace_hits).</summary>
    public long KeyspaceHits { get; init; }

    /// <summary>Keys that clients' read commands looked up and did not find (keyspace_misses).</summary>
    public long KeyspaceMisses { get; init; }

    /// <summary>Keys deleted because their expiry passed (expired_keys).</summary>
    public long ExpiredKeys { get; init; }

    /// <summary>Committed local changes not yet in the write-ahead log.</summary>
    public long PendingDiskWrites { get; init; }

    /// <summary>Per replication peer (a neighbouring site on the tree): what it has not acknowledged.</summary>
    public IReadOnlyList<KvPeerStats> Peers { get; init; } = [];
}

/// <summary>Replication towards one neighbouring site.</summary>
public sealed record KvPeerStats(string Site, bool Connected, long PendingKeys, TimeSpan Lag, long BytesSent, long BytesReceived)
{
    /// <summary>Key states sent to the peer (log batches and catch-ups).</summary>
    public long KeysSent { get; init; }

    /// <summary>Key states received from the peer.</summary>
    public long KeysReceived { get; init; }

    /// <summary>Batch frames sent to the peer.</summary>
    public long BatchesSent { get; init; }

    /// <summary>Catch-ups (digest exchanges, then the whole states that differ) started towards the peer.</summary>
    public long CatchUps { get; init; }

    /// <summary>Deltas received from the peer whose base this site lacked (each such batch asks it for a catch-up).</summary>
    public long DeltasWithoutBase { get; init; }
}
