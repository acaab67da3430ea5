namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// Everything a replica knows of one key: a product of CRDTs sharing one causal context (<see cref="Clock"/>) —
/// a string cell (LWW registers + PN-counter), a set (member → add dots), a hash (field → cell) and the expiry
/// (LWW). Normally only one of string, set or hash holds entries; after concurrent writes of different types they
/// all may, and the type of the newest write is the one a reader sees (<see cref="Type"/>). A key with a clock but no
/// entries is a tombstone: it remembers what a delete removed until every replica has seen it.
/// </summary>
internal sealed partial class KeyState(byte[] key)
{
    public byte[] Key { get; } = key;

    public VersionVector Clock { get; set; } = new();

    public ValueCell Str { get; set; } = ValueCell.Empty;

    public Dictionary<byte[], AddDot[]>? Members { get; set; }

    public Dictionary<byte[], ValueCell>? Fields { get; set; }

    public ExpiryEntry[] Expiry { get; set; } = [];

    /// <summary>The type a reader sees (ignoring expiry); <see cref="KvType.None"/> when no entries remain.</summary>
    public KvType Type { get; set; }

    /// <summary>The winning expiry in Unix ms, 0 for none.</summary>
    public long ExpiresAt { get; set; }

    // ---- bookkeeping of the store (not part of the CRDT) ----

    /// <summary>Local change sequence (WATCH): bumped on every committed local write or merge that changed it.</summary>
    public long Version { get; set; }

    /// <summary>Index in the key table's slots (SCAN order).</summary>
    public int Slot { get; set; } = -1;

    /// <summary>Id of the transaction that last snapshotted this key for undo.</summary>
    public long TxMark { get; set; }

    /// <summary>Queued for the disk writer.</summary>
    public bool PendingPersist { get; set; }

    /// <summary>Counted in the store's key count.</summary>
    public bool Counted { get; set; }

    /// <summary>Removed from the table (deleted for good); the disk writer deletes its record.</summary>
    public bool Removed { get; set; }

    /// <summary>Replication: the local change sequence at which it last changed (what peers have not acknowledged).</summary>
    public long ChangeSeq { get; set; }

    /// <summary>Figures: what this key last added to the store's byte count (and to its prefixes' while it counted as a
    /// key, <see cref="FigureLive"/>).</summary>
    public long FigureBytes { get; set; }

    public bool FigureLive { get; set; }

    /// <summary>Keyspace figures: changed since they were last taken.</summary>
    public bool FigureDirty { get; set; }

    /// <summary>Replication: the sequence of the key's latest entry in the change log (0: none), so the entry it
    /// supersedes is found without a walk of the log.</summary>
    public long LoggedSeq { get; set; }

    /// <summary>Replication: where that entry is in the change log (<see cref="Replication.ChangeLog.Position"/>): found
    /// there directly, not by a binary search of up to a million entries on every change.</summary>
    public long LoggedAt { get; set; }

    /// <summary>Anti-entropy: the key's position in the 64-bit token space (a hash of the key), computed once.</summary>
    public ulong Token => _token != 0 ? _token : (_token = System.IO.Hashing.XxHash64.HashToUInt64(Key));

    private ulong _token;

    /// <summary>Anti-entropy: a hash of the state's canonical encoding, valid while <see cref="Version"/> equals <see cref="DigestVersion"/>.</summary>
    public ulong Digest { get; set; }

    public long DigestVersion { get; set; } = -1;

    public bool IsEmpty => Str.IsEmpty && (Members is null || Members.Count == 0) && (Fields is null || Fields.Count == 0);

    public bool IsExpired(long nowUnixMs) => ExpiresAt != 0 && ExpiresAt <= nowUnixMs;

    public bool IsLive(long nowUnixMs) => Type != KvType.None && !IsExpired(nowUnixMs);

    /// <summary>Recomputes <see cref="Type"/> and <see cref="ExpiresAt"/> from the entries (after a merge or an undo).</summary>
    public void RecomputeDerived()
    {
        ExpiresAt = WinningExpiry(Expiry);
        var hasMembers = Members is { Count: > 0 };
        var hasFields = Fields is { Count: > 0 };
        if ((Str.IsEmpty ? 0 : 1) + (hasMembers ? 1 : 0) + (hasFields ? 1 : 0) <= 1)
        {
            // One kind of entry (the usual case): it is the type, without scanning a large set or hash for its latest dot
            // (which made every merged change of a collection cost its size).
            Type = !Str.IsEmpty ? KvType.String : hasMembers ? KvType.Set : hasFields ? KvType.Hash : KvType.None;
            return;
        }

        var best = default(Dot);
        var type = KvType.None;
        if (!Str.IsEmpty)
        {
            best = Str.MaxDot;
            type = KvType.String;
        }

        if (Members is { Count: > 0 })
        {
            foreach (var dots in Members.Values)
            {
                var max = DotStore.Max(dots);
                if (type == KvType.None || max > best)
                {
                    best = max;
                    type = KvType.Set;
                }
            }
        }

        if (Fields is { Count: > 0 })
        {
            foreach (var cell in Fields.Values)
            {
                var max = cell.MaxDot;
                if (type == KvType.None || max > best)
                {
                    best = max;
                    type = KvType.Hash;
                }
            }
        }

        Type = type;
    }

    public static long WinningExpiry(ExpiryEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return 0;
        }

        var best = entries[0];
        for (var i = 1; i < entries.Length; i++)
        {
            if (entries[i].Stamp > best.Stamp)
            {
                best = entries[i];
            }
        }

        return best.UnixMs;
    }

    /// <summary>
    /// Approximate bytes held (for metrics): keys, values and dots. A large set or hash is estimated from its first
    /// <see cref="LargeElements"/> elements, as MEMORY USAGE samples: the figures take this under the store's lock
    /// whenever the key changed, and a walk of 950,000 fields on every HSET's sample held it for tens of milliseconds.
    /// </summary>
    public long ApproximateBytes()
    {
        const int dotBytes = 16;
        long bytes = Key.Length + (Clock.Entries.Length * dotBytes) + CellBytes(Str) + (Expiry.Length * 24);
        if (Members is not null)
        {
            bytes += Sampled(Members, LargeElements, static (member, dots) => member.Length + (dots.Length * dotBytes));
        }

        if (Fields is not null)
        {
            bytes += Sampled(Fields, LargeElements, static (field, cell) => field.Length + CellBytes(cell));
        }

        return bytes;
    }

    private static long CellBytes(ValueCell cell)
    {
        long bytes = cell.Counters.Length * 32;
        foreach (var register in cell.Registers)
        {
            bytes += register.Value.Length + 16;
        }

        return bytes;
    }
}
