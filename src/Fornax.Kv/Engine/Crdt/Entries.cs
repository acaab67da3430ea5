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
    /// <remarks>
    /// Allocates only when the join is neither side: most joins at a replica are a newer state replacing an older one
    /// (the join is theirs, which the caller owns), or a state already seen (the join is mine). Building a list and an
    /// array for every join was where most of a replica's garbage collections started under replicated SET load.
    /// </remarks>
    public static T[] Merge<T>(T[] mine, VersionVector myClock, T[] theirs, VersionVector theirClock)
        where T : IDotted
    {
        if (ReferenceEquals(mine, theirs))
        {
            return mine;
        }

        // First count, without allocating: what of mine survives, and whether it all lies in theirs.
        var keptMine = 0;
        var mineAllInTheirs = true;
        foreach (var entry in mine)
        {
            var inTheirs = Contains(theirs, entry.Stamp);
            if (inTheirs || !theirClock.Covers(entry.Stamp))
            {
                keptMine++;
                mineAllInTheirs &= inTheirs;
            }
        }

        var added = 0;
        var theirsAllKept = true;
        foreach (var entry in theirs)
        {
            if (Contains(mine, entry.Stamp))
            {
                continue;
            }

            if (myClock.Covers(entry.Stamp))
            {
                theirsAllKept = false;
            }
            else
            {
                added++;
            }
        }

        if (keptMine == mine.Length && added == 0)
        {
            return mine;
        }

        if (mineAllInTheirs && theirsAllKept && IsCanonical(theirs))
        {
            return theirs; // every survivor of mine is in theirs, and all of theirs survives: the join is theirs
        }

        if (keptMine + added == 0)
        {
            return [];
        }

        var joined = new T[keptMine + added];
        var at = 0;
        foreach (var entry in mine)
        {
            if (Contains(theirs, entry.Stamp) || !theirClock.Covers(entry.Stamp))
            {
                joined[at++] = entry;
            }
        }

        foreach (var entry in theirs)
        {
            if (!Contains(mine, entry.Stamp) && !myClock.Covers(entry.Stamp))
            {
                joined[at++] = entry;
            }
        }

        // Canonical order (by dot) so every replica evaluates (e.g. sums floats) identically.
        Array.Sort(joined, static (a, b) => a.Stamp.CompareTo(b.Stamp));
        return joined;
    }

    /// <summary>In dot order, as every store this site builds is (a peer's, decoded, may not be).</summary>
    private static bool IsCanonical<T>(T[] entries)
        where T : IDotted
    {
        for (var i = 1; i < entries.Length; i++)
        {
            if (entries[i - 1].Stamp.CompareTo(entries[i].Stamp) > 0)
            {
                return false;
            }
        }

        return true;
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
