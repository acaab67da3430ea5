using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>Commands on keys whatever their type: TYPE, DEL, the EXPIRE family, SCAN, RANDOMKEY, FLUSHDB, COPY.</summary>
internal sealed partial class KvTransaction
{
    public KvType TypeOf(ReadOnlySpan<byte> key) => Live(key)?.Type ?? KvType.None;

    public bool Delete(ReadOnlySpan<byte> key)
    {
        var state = table.Find(key);
        if (state is null || state.IsEmpty)
        {
            return false;
        }

        var existed = state.IsLive(NowUnixMs);
        Snapshot(state);
        ClearEntries(state);
        return existed;
    }

    public long? GetExpiry(ReadOnlySpan<byte> key) => Live(key) is { ExpiresAt: not 0 } state ? state.ExpiresAt : null;

    public long? MemoryUsage(ReadOnlySpan<byte> key, int samples) => Live(key)?.MemoryBytes(samples);

    public bool SetExpiry(ReadOnlySpan<byte> key, long? unixMs)
    {
        var state = Live(key);
        if (state is null)
        {
            return false;
        }

        if (unixMs <= NowUnixMs)
        {
            return Delete(key);
        }

        if (unixMs is null && state.Expiry.Length == 0)
        {
            return true; // nothing to persist: no change to store or send
        }

        Snapshot(state);
        // A removal of the expiry is an event of the key's history too, with a dot of its own (see AfterRemoval): a peer
        // whose clock had seen everything but it would otherwise take its state for the join and keep the expiry for good.
        var dot = NewDot(state);
        state.Expiry = unixMs is { } at ? [new ExpiryEntry(dot, at)] : [];
        state.ExpiresAt = unixMs ?? 0;
        return true;
    }

    public long Scan(long cursor, int count, ReadOnlySpan<byte> pattern, KvType? type, List<byte[]> keys)
    {
        var slot = cursor < 0 || cursor >= table.SlotCount ? table.SlotCount : (int)cursor;
        var examined = 0;
        var end = table.SlotCount;
        while (slot < end && examined < Math.Max(1, count))
        {
            var state = table.AtSlot(slot++);
            if (state is null)
            {
                continue;
            }

            examined++;
            if (state.IsLive(NowUnixMs) && (type is null || state.Type == type) &&
                (pattern.IsEmpty || Glob.IsMatch(pattern, state.Key)))
            {
                keys.Add(state.Key);
            }
        }

        return slot >= end ? 0 : slot;
    }

    public byte[]? RandomKey()
    {
        var slots = table.SlotCount;
        if (slots == 0)
        {
            return null;
        }

        // A few random probes find a key quickly in a dense table; the walk from a random start finds one in any.
        for (var i = 0; i < 16; i++)
        {
            if (table.AtSlot(engine.Random.Next(slots)) is { } probe && probe.IsLive(NowUnixMs))
            {
                return probe.Key;
            }
        }

        var start = engine.Random.Next(slots);
        for (var i = 0; i < slots; i++)
        {
            if (table.AtSlot((start + i) % slots) is { } state && state.IsLive(NowUnixMs))
            {
                return state.Key;
            }
        }

        return null;
    }

    public void DeleteAll()
    {
        foreach (var state in table.All().ToList())
        {
            if (!state.IsEmpty)
            {
                Snapshot(state);
                ClearEntries(state);
            }
        }
    }

    public bool Copy(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, bool replace)
    {
        var from = Live(source);
        if (from is null || (!replace && Live(destination) is not null))
        {
            return false;
        }

        if (source.SequenceEqual(destination))
        {
            return true;
        }

        var to = ForWrite(destination, from.Type);
        ClearEntries(to);
        switch (from.Type)
        {
            case KvType.String:
                to.Str = CopyCell(from.Str, to);
                break;
            case KvType.Set:
                to.Members = new Dictionary<byte[], AddDot[]>(ByteArrayComparer.Instance);
                foreach (var member in from.Members!.Keys)
                {
                    to.Members[member] = [new AddDot(NewDot(to))];
                }

                break;
            case KvType.Hash:
                to.Fields = new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance);
                foreach (var (field, cell) in from.Fields!)
                {
                    to.Fields[field] = CopyCell(cell, to);
                }

                break;
        }

        if (from.Type is KvType.Set or KvType.Hash)
        {
            to.ElementsReplaced();
        }

        if (from.ExpiresAt != 0)
        {
            to.Expiry = [new ExpiryEntry(NewDot(to), from.ExpiresAt)];
        }

        to.RecomputeDerived();
        return true;
    }

    /// <summary>A fresh write of what <paramref name="cell"/> reads as: a counter stays a counter (one share of the total).</summary>
    private ValueCell CopyCell(ValueCell cell, KeyState to)
    {
        var value = cell.Evaluate();
        if (!cell.IsCounter)
        {
            return new ValueCell([new Register(NewDot(to), value.Text ?? value.ToArray())], []);
        }

        var share = value.IsFloat
            ? new CounterShare(NewDot(to), 0, value.Float)
            : new CounterShare(NewDot(to), (long)value.Integer, 0);
        return new ValueCell([], [share]);
    }

    /// <summary>Deletes up to <paramref name="count"/> expired keys of <paramref name="expiring"/>; true when more may remain.</summary>
    public bool DeleteExpired(HashSet<KeyState> expiring, int count)
    {
        // Picked first, cleared after: the set changes only when the transaction commits, but not while it is walked.
        var expired = new List<KeyState>();
        foreach (var state in expiring)
        {
            if (!state.IsEmpty && state.IsExpired(NowUnixMs))
            {
                expired.Add(state);
                if (expired.Count == count)
                {
                    break;
                }
            }
        }

        foreach (var state in expired)
        {
            Snapshot(state);
            ClearEntries(state);
        }

        engine.ExpiredKeys += expired.Count;
        return expired.Count == count;
    }
}
