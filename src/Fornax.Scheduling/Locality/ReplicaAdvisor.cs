namespace Fornax.Scheduling.Locality;

/// <summary>A change of this site's promoted replicas: take on <see cref="Keyspace"/> (<see cref="Promote"/>) or drop it, and why.</summary>
public sealed record ReplicaChange(string Keyspace, bool Promote, string Reason);

/// <summary>
/// Access-pattern-aware placement, after AnnaBellaDB: a keyspace this site reads over the link
/// <see cref="LocalityOptions.PromoteAfterReads"/> times within <see cref="LocalityOptions.PromoteWindow"/> becomes a
/// replica here; a replica taken on that way that nobody read for <see cref="LocalityOptions.DropAfterIdle"/> is dropped,
/// and so are the least recently read ones while the promoted replicas together hold more than
/// <see cref="LocalityOptions.StorageBudget"/>. A keyspace known to be larger than the budget's room is not promoted,
/// so a replica dropped for size is not taken on again at the next burst of reads. Replicas the keyspace's placement puts
/// here are not this class's business. Keyspaces are opaque names. Thread-safe.
/// </summary>
public sealed class ReplicaAdvisor(LocalityOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Usage> _usage = new(StringComparer.Ordinal);

    /// <summary>A function here read <paramref name="keyspace"/>: over the link (<paramref name="remote"/>) or from this site's copy.</summary>
    public void RecordRead(string keyspace, bool remote)
    {
        var now = options.TimeProvider.GetTimestamp();
        lock (_gate)
        {
            if (!_usage.TryGetValue(keyspace, out var usage))
            {
                _usage[keyspace] = usage = new Usage(options.PromoteAfterReads);
            }

            usage.LastRead = now;
            if (remote)
            {
                usage.RemoteReads[usage.Next] = now;
                usage.Next = (usage.Next + 1) % usage.RemoteReads.Length;
                usage.Counted = Math.Min(usage.Counted + 1, usage.RemoteReads.Length);
            }
        }
    }

    /// <summary>The keyspaces promoted here, with the reason each was.</summary>
    public IReadOnlyDictionary<string, string> Promoted()
    {
        lock (_gate)
        {
            return _usage.Where(u => u.Value.PromotedBecause is not null).ToDictionary(u => u.Key, u => u.Value.PromotedBecause!, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Decides the promotions and drops due now. <paramref name="bytesHeld"/> gives a promoted keyspace's bytes at this
    /// site (its copy may still be catching up). Returns what changed; the caller applies it.
    /// </summary>
    public IReadOnlyList<ReplicaChange> Review(Func<string, long> bytesHeld)
    {
        var now = options.TimeProvider.GetTimestamp();
        var changes = new List<ReplicaChange>();
        lock (_gate)
        {
            foreach (var (keyspace, usage) in _usage.Where(u => u.Value.PromotedBecause is not null).ToList())
            {
                usage.KnownBytes = bytesHeld(keyspace);
                var idle = options.TimeProvider.GetElapsedTime(usage.LastRead, now);
                if (idle >= options.DropAfterIdle)
                {
                    Drop(keyspace, usage, $"unread for {Span(idle)}", changes);
                }
            }

            var promoted = _usage.Where(u => u.Value.PromotedBecause is not null).OrderBy(u => u.Value.LastRead).ThenBy(u => u.Key, StringComparer.Ordinal).ToList();
            var total = promoted.Sum(u => u.Value.KnownBytes);
            foreach (var (keyspace, usage) in promoted)
            {
                if (total <= options.StorageBudget)
                {
                    break;
                }

                total -= usage.KnownBytes;
                Drop(keyspace, usage, $"over the storage budget of {options.StorageBudget} bytes (promoted replicas held {total + usage.KnownBytes})", changes);
            }

            foreach (var (keyspace, usage) in _usage.Where(u => u.Value.PromotedBecause is null).OrderBy(u => u.Key, StringComparer.Ordinal))
            {
                if (usage.Counted < usage.RemoteReads.Length)
                {
                    continue;
                }

                // The oldest of the last N reads is the one the next write will replace.
                var span = options.TimeProvider.GetElapsedTime(usage.RemoteReads[usage.Next], now);
                if (span <= options.PromoteWindow && total + usage.KnownBytes <= options.StorageBudget)
                {
                    usage.PromotedBecause = $"{usage.Counted} reads over the link within {Span(span)}";
                    usage.Counted = 0;
                    total += usage.KnownBytes;
                    changes.Add(new ReplicaChange(keyspace, true, usage.PromotedBecause));
                }
            }
        }

        return changes;
    }

    private static void Drop(string keyspace, Usage usage, string reason, List<ReplicaChange> changes)
    {
        usage.PromotedBecause = null;
        usage.Counted = 0;
        changes.Add(new ReplicaChange(keyspace, false, reason));
    }

    private static string Span(TimeSpan span) => span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#}s" : $"{span.TotalMinutes:0.#}m";

    private sealed class Usage(int reads)
    {
        /// <summary>Timestamps of the last reads over the link (a ring): bounded, whatever the read rate.</summary>
        public long[] RemoteReads { get; } = new long[reads];

        public int Next { get; set; }

        public int Counted { get; set; }

        public long LastRead { get; set; }

        /// <summary>Bytes this site held of it when last promoted; 0 when never held.</summary>
        public long KnownBytes { get; set; }

        public string? PromotedBecause { get; set; }
    }
}
