namespace Fornax.Kv.Engine;

/// <summary>When a write is on disk before its reply, as Redis' <c>appendfsync</c>.</summary>
public enum KvDurability
{
    /// <summary>Each reply waits for its write's fsync (group commit: one fsync for every write that arrived meanwhile).</summary>
    Always,

    /// <summary>Writes reach the write-ahead log at once (a killed process loses nothing); an fsync runs every second (a power loss loses at most about one second).</summary>
    EverySecond,

    /// <summary>Writes reach the write-ahead log; the operating system decides when it is flushed.</summary>
    None,
}

/// <summary>The options of one site's store.</summary>
public sealed record KvStoreOptions
{
    /// <summary>Where RocksDB keeps the store (the site's <c>kv/</c>); null keeps it in memory only.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>The site's name, unique in the tree: the replica id of every write made here.</summary>
    public required string SiteId { get; init; }

    public KvDurability Durability { get; init; } = KvDurability.EverySecond;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The source of RANDOMKEY's (and SPOP's) randomness; seeded in tests.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>
    /// The data epochs of this site's earlier stores that the tree forgot: each was refused by the site's parent (a
    /// forgotten site back with the data it had then), and its folder removed. A neighbour whose last session here was
    /// with one of them may hold keys deleted in the tree since, whose tombstones were collected without it: it refuses
    /// to replicate with this store (<see cref="Replication.ReplicationRefusedException"/>) until its own store starts
    /// afresh. The site keeps them outside the store's folder, which is what gets removed.
    /// </summary>
    public IReadOnlyCollection<long> ForgottenEpochs { get; init; } = [];

    /// <summary>How often expired keys are looked for and deleted (a read never sees one, whatever this is).</summary>
    public TimeSpan ExpirySweepInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Changes the replication log holds for peers that have not acknowledged them; past it a peer catches up
    /// by digests. Lowered in tests, which cannot write a million changes quickly.</summary>
    internal int ReplicationLogEntries { get; init; } = Replication.ChangeLog.DefaultMaxEntries;

    /// <summary>Parses <c>always</c>, <c>everysec</c>, <c>none</c> (the words of the site's <c>durability</c> option).</summary>
    public static KvDurability ParseDurability(string text) => text switch
    {
        "always" => KvDurability.Always,
        "everysec" => KvDurability.EverySecond,
        "none" => KvDurability.None,
        _ => throw new ArgumentException($"durability: \"{text}\" is not one of always, everysec, none", nameof(text)),
    };
}
