using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// The changes of replicated keys not yet acknowledged by every peer, in version order. An entry points at the key's
/// live state (a key changed again has a later entry; the earlier one is skipped), so the log holds no values of its
/// own. Bounded: past <paramref name="maxEntries"/> the oldest go, and a peer that had not been sent them catches up by
/// digests instead (<see cref="Dropped"/>).
/// </summary>
internal sealed class ChangeLog(int maxEntries = ChangeLog.DefaultMaxEntries)
{
    public const int DefaultMaxEntries = 1 << 20;

    private readonly List<Entry> _entries = [];
    private int _head;

    /// <summary>Entries removed from the front of <see cref="_entries"/> so far (an entry's position is this plus its index).</summary>
    private long _removed;

    public readonly record struct Entry(long Seq, KeyState State, PeerState? Source, long AtUnixMs);

    /// <summary>Versions at or below this were dropped from the log.</summary>
    public long Dropped { get; private set; }

    public int Count => _entries.Count - _head;

    /// <summary>The position of the entry added last: stable while the entry stays in the log (<see cref="At"/>).</summary>
    public long Position => _removed + _entries.Count - 1;

    /// <summary>Appends the key's change; returns the oldest entry when the bound pushed it out.</summary>
    public Entry? Add(KeyState state, PeerState? source, long atUnixMs)
    {
        _entries.Add(new Entry(state.ChangeSeq, state, source, atUnixMs));
        if (Count <= maxEntries)
        {
            return null;
        }

        var dropped = _entries[_head];
        Dropped = dropped.Seq;
        _head++;
        Compact();
        return dropped;
    }

    /// <summary>The entry of version <paramref name="seq"/> at <paramref name="position"/>, when the log still holds it.</summary>
    public Entry? At(long position, long seq)
    {
        var index = position - _removed;
        return index >= _head && index < _entries.Count && _entries[(int)index].Seq == seq ? _entries[(int)index] : null;
    }

    /// <summary>Index of the first entry with a version above <paramref name="seq"/>.</summary>
    public int After(long seq)
    {
        int low = _head, high = _entries.Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_entries[mid].Seq <= seq)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    public int End => _entries.Count;

    public Entry this[int index] => _entries[index];

    /// <summary>Drops the entries every peer acknowledged; <paramref name="dropped"/> sees each (tombstones are collected there).</summary>
    public void TruncateThrough(long seq, Action<Entry> dropped)
    {
        while (_head < _entries.Count && _entries[_head].Seq <= seq)
        {
            dropped(_entries[_head]);
            Dropped = _entries[_head].Seq;
            _head++;
        }

        Compact();
    }

    private void Compact()
    {
        if (_head > 1024 && _head > _entries.Count / 2)
        {
            _entries.RemoveRange(0, _head);
            _removed += _head;
            _head = 0;
        }
    }
}
