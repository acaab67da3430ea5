using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// The keys of the store in memory: a dictionary for lookups by span (no allocation) and a slot array for SCAN and
/// RANDOMKEY. A key keeps its slot while it lives, so a SCAN cursor (a slot index) returns every key present for the
/// whole scan; freed slots are reused by new keys.
/// </summary>
internal sealed class KeyTable
{
    private readonly Dictionary<byte[], KeyState> _keys = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], KeyState>.AlternateLookup<ReadOnlySpan<byte>> _bySpan;
    private readonly Stack<int> _free = new();
    private KeyState?[] _slots = new KeyState?[16];
    private int _used;

    public KeyTable() => _bySpan = _keys.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>Keys held, tombstones included.</summary>
    public int Count => _keys.Count;

    /// <summary>Slots in use or freed (the end of a SCAN).</summary>
    public int SlotCount => _used;

    public KeyState? Find(ReadOnlySpan<byte> key) => _bySpan.TryGetValue(key, out var state) ? state : null;

    public KeyState? AtSlot(int slot) => slot < _used ? _slots[slot] : null;

    public void Add(KeyState state)
    {
        _keys.Add(state.Key, state);
        int slot;
        if (_free.Count > 0)
        {
            slot = _free.Pop();
        }
        else
        {
            if (_used == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
            }

            slot = _used++;
        }

        _slots[slot] = state;
        state.Slot = slot;
    }

    public void Remove(KeyState state)
    {
        if (state.Slot < 0 || !ReferenceEquals(_slots[state.Slot], state))
        {
            return;
        }

        _keys.Remove(state.Key);
        _slots[state.Slot] = null;
        _free.Push(state.Slot);
        state.Slot = -1;
    }

    public IEnumerable<KeyState> All()
    {
        for (var i = 0; i < _used; i++)
        {
            if (_slots[i] is { } state)
            {
                yield return state;
            }
        }
    }
}
