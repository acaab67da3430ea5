using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>The undo log: what a body changed, restored in reverse order when the body throws.</summary>
internal sealed partial class KvTransaction
{
    private readonly List<Undo> _undo = [];

    private enum UndoKind : byte
    {
        Created,
        Key,
        Member,
        Field,
    }

    private readonly record struct Undo(
        UndoKind Kind,
        KeyState State,
        ValueCell? Str = null,
        Dictionary<byte[], AddDot[]>? Members = null,
        Dictionary<byte[], ValueCell>? Fields = null,
        ExpiryEntry[]? Expiry = null,
        byte[]? Name = null,
        object? OldValue = null);

    private void Created(KeyState state)
    {
        state.TxMark = _txId;
        Touched.Add(state);
        _undo.Add(new Undo(UndoKind.Created, state));
    }

    /// <summary>Records the key's top-level entries before its first change in this transaction.</summary>
    private void Snapshot(KeyState state)
    {
        if (state.TxMark == _txId)
        {
            return;
        }

        state.TxMark = _txId;
        Touched.Add(state);
        _undo.Add(new Undo(UndoKind.Key, state, state.Str, state.Members, state.Fields, state.Expiry));
    }

    /// <summary>Records a member before it changes, with the very dictionary changed (the key may drop it later).</summary>
    private void SnapshotMember(KeyState state, Dictionary<byte[], AddDot[]> members, byte[] member, AddDot[]? old)
    {
        state.MemberChanged(member);
        _undo.Add(new Undo(UndoKind.Member, state, Members: members, Name: member, OldValue: old));
    }

    private void SnapshotField(KeyState state, Dictionary<byte[], ValueCell> fields, byte[] field, ValueCell? old)
    {
        state.FieldChanged(field);
        _undo.Add(new Undo(UndoKind.Field, state, Fields: fields, Name: field, OldValue: old));
    }

    /// <summary>Restores every key the body changed. Clocks keep the dots they saw: a dot no entry holds is harmless.</summary>
    public void Rollback()
    {
        for (var i = _undo.Count - 1; i >= 0; i--)
        {
            var undo = _undo[i];
            var state = undo.State;
            switch (undo.Kind)
            {
                case UndoKind.Created:
                    table.Remove(state);
                    break;
                case UndoKind.Key:
                    state.Str = undo.Str!;
                    state.Members = undo.Members;
                    state.Fields = undo.Fields;
                    state.ElementsReplaced();
                    state.Expiry = undo.Expiry!;
                    state.RecomputeDerived();
                    break;
                case UndoKind.Member:
                    Restore(undo.Members!, undo.Name!, (AddDot[]?)undo.OldValue);
                    break;
                case UndoKind.Field:
                    Restore(undo.Fields!, undo.Name!, (ValueCell?)undo.OldValue);
                    break;
            }
        }

        _undo.Clear();
        Touched.Clear();
    }

    private static void Restore<T>(Dictionary<byte[], T> map, byte[] name, T? old)
        where T : class
    {
        if (old is null)
        {
            map.Remove(name);
        }
        else
        {
            map[name] = old;
        }
    }
}
