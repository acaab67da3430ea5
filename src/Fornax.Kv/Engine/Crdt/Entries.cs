namespace Fornax.Kv.Engine.Crdt;

/// <summary>A last-writer-wins candidate: one written value and the dot of its write.</summary>
internal readonly record struct Register(Dot Stamp, byte[] Value) : IDotted;

/// <summary>
/// One replica's share of a PN-counter: the sums of every increment it made (integers and floats apart, so integer
/// counters stay exact). Each increment replaces the replica's entry with a new dot and the new sums.
/// </summary>
internal readonly record struct CounterShare(Dot Stamp, long Integer, double Float) : IDotted;

/// <summary>An expiry candidate (Unix ms) and the dot of the EXPIRE-family write that set it.</summary>
internal readonly record struct ExpiryEntry(Dot Stamp, long UnixMs) : IDotted;

/// <summary>A bare dot: the add of a set member.</summary>
internal readonly record struct AddDot(Dot Stamp) : IDotted;

/// <summary>Merging dot stores: an entry survives when both sides hold it, or when the other side has not seen it.</summary>
internal static class DotStore
{
    public static T[] Merge<T>(T[] mine, VersionVector myClock, T[] theirs, VersionVector theirClock)
        where T : IDotted
    {
        if (ReferenceEquals(mine, theirs))
        {
            return mine;
        }

        List<T>? kept = null;
        var changed = false;
        foreach (var entry in mine)
        {
            if (Contains(theirs, entry.Stamp) || !theirClock.Covers(entry.Stamp))
            {
                (kept ??= []).Add(entry);
            }
            else
            {
                changed = true;
            }
        }

        foreach (var entry in theirs)
        {
            if (!Contains(mine, entry.Stamp) && !myClock.Covers(entry.Stamp))
            {
                (kept ??= []).Add(entry);
                changed = true;
            }
        }

        if (!changed)
        {
            return mine;
        }

        if (kept is null)
        {
            return [];
        }

        // Canonical order (by dot) so every replica evaluates (e.g. sums floats) identically.
        kept.Sort(static (a, b) => a.Stamp.CompareTo(b.Stamp));
        return [.. kept];
    }

    public static bool Contains<T>(T[] entries, Dot dot)
        where T : IDotted
    {
        foreach (var entry in entries)
        {
            if (entry.Stamp == dot)
            {
                return true;
            }
        }

        return false;
    }

    public static Dot Max<T>(T[] entries)
        where T : IDotted
    {
        var max = default(Dot);
        foreach (var entry in entries)
        {
            if (entry.Stamp > max)
            {
                max = entry.Stamp;
            }
        }

        return max;
    }

    /// <summary>The entries without <paramref name="replica"/>'s, plus <paramref name="added"/>, kept in dot order (the canonical order).</summary>
    public static T[] ReplaceReplica<T>(T[] entries, ulong replica, T added)
        where T : IDotted
    {
        var result = new List<T>(entries.Length + 1);
        foreach (var entry in entries)
        {
            if (entry.Stamp.Replica != replica)
            {
                result.Add(entry);
            }
        }

        var at = result.Count;
        while (at > 0 && result[at - 1].Stamp > added.Stamp)
        {
            at--;
        }

        result.Insert(at, added);
        return [.. result];
    }
}
