namespace Fornax.Kv.Engine.Crdt;

/// <summary>The join of two states of one key: each dot store merged against the other side's clock, then the clocks.</summary>
internal static class KeyMerge
{
    /// <summary>
    /// Merges <paramref name="other"/> into <paramref name="state"/>; true if <paramref name="state"/> changed. A delta
    /// (<see cref="KeyState.DeltaBase"/> set) holds only some members or fields, each as the sender has it (empty: gone
    /// there): only those are joined, the others are as the sender had them at the base, which this state has seen.
    /// </summary>
    public static bool MergeInto(KeyState state, KeyState other)
    {
        var mine = state.Clock;
        var theirs = other.Clock;
        var changed = false;

        var str = MergeCell(state.Str, mine, other.Str, theirs);
        changed |= !ReferenceEquals(str, state.Str);
        state.Str = str;

        var partial = other.DeltaBase is not null;
        if (!partial && mine.IsEmpty && state.Members is null && state.Fields is null && other.ElementCount > KeyState.LargeElements)
        {
            // A key this site has seen nothing of (a new replica's first copy): the remote state's elements are the join,
            // and the decoded state is the caller's own, so its tables are taken as they are. Merged one by one, each
            // element cost two table inserts and a third for the disk writer's list of changed elements: 950,000 fields
            // held the store's lock for 0.3–0.7 s. Empty elements (a whole state has none) are dropped as a merge would.
            state.Members = NonEmpty(other.Members, static d => d.Length == 0);
            state.Fields = NonEmpty(other.Fields, static c => c.IsEmpty);
            if (state.Members is not null || state.Fields is not null)
            {
                state.ElementsReplaced();
                changed = true;
            }
        }
        else
        {
            changed |= MergeElements(state, other, mine, theirs, partial);
        }

        var expiry = DotStore.Merge(state.Expiry, mine, other.Expiry, theirs);
        changed |= !ReferenceEquals(expiry, state.Expiry);
        state.Expiry = expiry;

        if (!mine.Dominates(theirs))
        {
            mine.MergeFrom(theirs);
            changed = true;
        }

        state.RecomputeDerived();
        return changed;
    }

    private static bool MergeElements(KeyState state, KeyState other, VersionVector mine, VersionVector theirs, bool partial)
    {
        var changed = false;
        var members = MergeMap(state, state.Members, other.Members, mine, theirs, partial, DotStore.Merge, static d => d.Length == 0, static (s, m) => s.MemberChanged(m), ref changed);
        state.Members = members;
        var fields = MergeMap(state, state.Fields, other.Fields, mine, theirs, partial, MergeCell, static c => c.IsEmpty, static (s, f) => s.FieldChanged(f), ref changed);
        state.Fields = fields;
        return changed;
    }

    /// <summary>The table without its empty elements (itself when it has none); null when nothing remains.</summary>
    private static Dictionary<byte[], T>? NonEmpty<T>(Dictionary<byte[], T>? map, Func<T, bool> isEmpty)
    {
        if (map is null)
        {
            return null;
        }

        foreach (var (name, value) in map)
        {
            if (isEmpty(value))
            {
                map.Remove(name); // allowed while enumerating: removal does not invalidate a dictionary's enumerator
            }
        }

        return map.Count == 0 ? null : map;
    }

    public static ValueCell MergeCell(ValueCell mine, VersionVector myClock, ValueCell theirs, VersionVector theirClock)
    {
        var registers = DotStore.Merge(mine.Registers, myClock, theirs.Registers, theirClock);
        var counters = DotStore.Merge(mine.Counters, myClock, theirs.Counters, theirClock);
        if (ReferenceEquals(registers, mine.Registers) && ReferenceEquals(counters, mine.Counters))
        {
            return mine;
        }

        if (ReferenceEquals(registers, theirs.Registers) && ReferenceEquals(counters, theirs.Counters))
        {
            return theirs; // cells are immutable and the remote state is the caller's own: no copy needed
        }

        return registers.Length == 0 && counters.Length == 0 ? ValueCell.Empty : new ValueCell(registers, counters);
    }

    private delegate T MergeValue<T>(T mine, VersionVector myClock, T theirs, VersionVector theirClock);

    /// <remarks><paramref name="changedName"/> hears of every element that changed (the disk writer writes those).</remarks>
    private static Dictionary<byte[], T>? MergeMap<T>(
        KeyState state,
        Dictionary<byte[], T>? mine,
        Dictionary<byte[], T>? theirs,
        VersionVector myClock,
        VersionVector theirClock,
        bool partial,
        MergeValue<T> merge,
        Func<T, bool> isEmpty,
        Action<KeyState, byte[]> changedName,
        ref bool changed)
        where T : class
    {
        var empty = EmptyOf<T>.Value;
        if (partial)
        {
            // A delta: only the elements it names are joined, each as its sender has it (empty when gone there).
            foreach (var (name, value) in theirs ?? [])
            {
                var current = mine is not null && mine.TryGetValue(name, out var m) ? m : empty;
                var joined = merge(current, myClock, value, theirClock);
                if (ReferenceEquals(joined, current) || (isEmpty(joined) && isEmpty(current)))
                {
                    continue;
                }

                changed = true;
                changedName(state, name);
                if (isEmpty(joined))
                {
                    mine!.Remove(name);
                }
                else
                {
                    (mine ??= new Dictionary<byte[], T>(ByteArrayComparer.Instance))[name] = joined;
                }
            }

            return mine is { Count: > 0 } ? mine : null;
        }

        if (mine is not null)
        {
            List<byte[]>? gone = null;
            List<KeyValuePair<byte[], T>>? updated = null;
            foreach (var (name, value) in mine)
            {
                var other = theirs is not null && theirs.TryGetValue(name, out var t) ? t : empty;
                var merged = merge(value, myClock, other, theirClock);
                if (ReferenceEquals(merged, value))
                {
                    continue;
                }

                changed = true;
                changedName(state, name);
                if (isEmpty(merged))
                {
                    (gone ??= []).Add(name);
                }
                else
                {
                    (updated ??= []).Add(new(name, merged));
                }
            }

            foreach (var name in gone ?? [])
            {
                mine.Remove(name);
            }

            foreach (var (name, value) in updated ?? [])
            {
                mine[name] = value;
            }
        }

        if (theirs is not null)
        {
            foreach (var (name, value) in theirs)
            {
                if (mine is not null && mine.ContainsKey(name))
                {
                    continue; // merged above
                }

                var merged = merge(empty, myClock, value, theirClock);
                if (!isEmpty(merged))
                {
                    mine ??= new Dictionary<byte[], T>(ByteArrayComparer.Instance);
                    mine[name] = merged;
                    changed = true;
                    changedName(state, name);
                }
            }
        }

        if (mine is null)
        {
            return null;
        }

        return mine.Count == 0 ? null : mine;
    }

    private static class EmptyOf<T>
        where T : class
    {
        public static readonly T Value = typeof(T) == typeof(ValueCell) ? (T)(object)ValueCell.Empty : (T)(object)Array.Empty<AddDot>();
    }
}
