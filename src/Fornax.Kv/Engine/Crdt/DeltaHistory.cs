namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// The recent changes of one replicated set or hash: per change, its sequence, the key's clock after it and the members
/// and fields it touched. A peer that has everything up to sequence <c>s</c> needs only the elements touched after
/// <c>s</c>, and can check it holds the base (the clock at <c>s</c>) before applying them. The first entry is the base
/// the history starts from (a whole state: the key's first change seen here, a replacement, or what every peer has).
/// </summary>
internal sealed class DeltaHistory
{
    /// <summary>Kept changes at most: past it the oldest are folded together (<see cref="Coalesce"/>).</summary>
    public const int MaxEntries = 1024;

    private readonly List<Entry> _entries = [];

    private readonly record struct Entry(long Seq, VersionVector Clock, HashSet<byte[]>? Members, HashSet<byte[]>? Fields);

    public int Count => _entries.Count;

    /// <summary>Records the change just committed to <paramref name="state"/> at <paramref name="seq"/> (under the lock).</summary>
    public static void Record(KeyState state, long seq)
    {
        var collection = state.Members is not null || state.Fields is not null || state.ChangingMembers is not null ||
                         state.ChangingFields is not null;
        if (!collection && state.Deltas is null)
        {
            return; // a string or counter: its whole state is small
        }

        if (state.ChangingWhole || state.Deltas is null)
        {
            state.Deltas = new DeltaHistory();
            state.Deltas._entries.Add(new Entry(seq, state.Clock.Clone(), null, null));
            return;
        }

        var entries = state.Deltas._entries;
        entries.Add(new Entry(seq, state.Clock.Clone(), state.ChangingMembers, state.ChangingFields));
        if (entries.Count > MaxEntries)
        {
            Coalesce(entries);
        }
    }

    /// <summary>
    /// Folds the oldest change after the base into the next one: a peer that had the key between the two gets the
    /// elements of both from the base (more elements, an older base: still exact). Dropping the oldest instead made a
    /// peer more than <see cref="MaxEntries"/> changes behind (any peer, under a pipelined SADD) take the whole
    /// collection, which a 100,000-member set turned into megabytes per batch and a full merge at every receiver.
    /// The smaller name set is folded into the larger, so a run of folds costs the elements folded, not the history.
    /// </summary>
    private static void Coalesce(List<Entry> entries)
    {
        var (older, newer) = (entries[1], entries[2]);
        entries[1] = new Entry(newer.Seq, newer.Clock, Union(older.Members, newer.Members), Union(older.Fields, newer.Fields));
        entries.RemoveAt(2);
    }

    private static HashSet<byte[]>? Union(HashSet<byte[]>? a, HashSet<byte[]>? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var (large, small) = a.Count >= b.Count ? (a, b) : (b, a);
        large.UnionWith(small);
        return large;
    }

    /// <summary>
    /// What a peer that has this key as of <paramref name="since"/> needs: the clock then and the elements touched
    /// after it. False when the history does not reach back that far (the peer needs the whole state).
    /// </summary>
    public bool TrySince(long since, out VersionVector baseClock, out HashSet<byte[]> members, out HashSet<byte[]> fields)
    {
        baseClock = null!;
        members = new HashSet<byte[]>(ByteArrayComparer.Instance);
        fields = new HashSet<byte[]>(ByteArrayComparer.Instance);
        var at = _entries.Count - 1;
        while (at >= 0 && _entries[at].Seq > since)
        {
            members.UnionWith(_entries[at].Members ?? []);
            fields.UnionWith(_entries[at].Fields ?? []);
            at--;
        }

        if (at < 0)
        {
            return false;
        }

        baseClock = _entries[at].Clock;
        return true;
    }

    /// <summary>Every peer has the key as of <paramref name="seq"/>: older changes are not needed any more.</summary>
    public void TrimThrough(long seq)
    {
        var keep = _entries.Count - 1;
        while (keep >= 0 && _entries[keep].Seq > seq)
        {
            keep--;
        }

        if (keep >= 0)
        {
            _entries.RemoveRange(0, keep);
            _entries[0] = _entries[0] with { Members = null, Fields = null };
        }
    }
}
