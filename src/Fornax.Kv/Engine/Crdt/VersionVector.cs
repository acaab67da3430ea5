namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// The causal context of one key: for each replica, the latest of its dots this state has seen. Because a replica's
/// dots only grow and states travel whole (never a hole in one replica's history), "seen" is "at most the maximum".
/// </summary>
internal sealed class VersionVector
{
    private Dot[] _entries;
    private int _count;

    public VersionVector() => _entries = [];

    private VersionVector(Dot[] entries, int count)
    {
        _entries = entries;
        _count = count;
    }

    /// <summary>Per replica, its largest seen dot, ordered by replica id.</summary>
    public ReadOnlySpan<Dot> Entries => _entries.AsSpan(0, _count);

    public bool IsEmpty => _count == 0;

    public bool Covers(Dot dot)
    {
        var i = IndexOf(dot.Replica);
        return i >= 0 && _entries[i].Hlc >= dot.Hlc;
    }

    /// <summary>The largest dot of <paramref name="replica"/> seen, or 0.</summary>
    public long Get(ulong replica)
    {
        var i = IndexOf(replica);
        return i >= 0 ? _entries[i].Hlc : 0;
    }

    public void Observe(Dot dot)
    {
        var i = IndexOf(dot.Replica);
        if (i >= 0)
        {
            if (dot.Hlc > _entries[i].Hlc)
            {
                _entries[i] = dot;
            }

            return;
        }

        var at = ~i;
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, Math.Max(2, _count * 2));
        }

        Array.Copy(_entries, at, _entries, at + 1, _count - at);
        _entries[at] = dot;
        _count++;
    }

    public void MergeFrom(VersionVector other)
    {
        foreach (var dot in other.Entries)
        {
            Observe(dot);
        }
    }

    /// <summary>True when this vector has seen everything <paramref name="other"/> has.</summary>
    public bool Dominates(VersionVector other)
    {
        foreach (var dot in other.Entries)
        {
            if (!Covers(dot))
            {
                return false;
            }
        }

        return true;
    }

    public VersionVector Clone() => new((Dot[])_entries.Clone(), _count);

    private int IndexOf(ulong replica)
    {
        int low = 0, high = _count - 1;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            var at = _entries[mid].Replica;
            if (at == replica)
            {
                return mid;
            }

            if (at < replica)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return ~low;
    }
}
