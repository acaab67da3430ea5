using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>Hashes: observed-remove maps whose fields are cells (LWW registers, HINCRBY counter shares).</summary>
internal sealed partial class KvTransaction
{
    public bool HashSet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        LiveOfType(key, KvType.Hash);
        var state = ForWrite(key, KvType.Hash);
        var fields = state.Fields ??= new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance);
        var lookup = fields.GetAlternateLookup<ReadOnlySpan<byte>>();
        var name = lookup.TryGetValue(field, out var storedName, out var old) ? storedName : field.ToArray();
        SnapshotField(state, fields, name, old);
        fields[name] = new ValueCell([new Register(NewDot(state), value.ToArray())], []);
        state.Type = KvType.Hash;
        return old is null;
    }

    public bool HashTryGet(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, out ReadOnlySpan<byte> value)
    {
        if (LiveOfType(key, KvType.Hash)?.Fields is { } fields &&
            fields.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(field, out var cell))
        {
            value = Read(cell);
            return true;
        }

        value = default;
        return false;
    }

    public bool HashDelete(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field)
    {
        var state = LiveOfType(key, KvType.Hash);
        if (state?.Fields is not { } fields ||
            !fields.GetAlternateLookup<ReadOnlySpan<byte>>().Remove(field, out var name, out var old))
        {
            return false;
        }

        Snapshot(state);
        SnapshotField(state, fields, name, old);
        AfterRemoval(state);
        return true;
    }

    public long HashCount(ReadOnlySpan<byte> key) => LiveOfType(key, KvType.Hash)?.Fields?.Count ?? 0;

    public long HashIncrementBy(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long delta)
    {
        var current = 0L;
        if (FieldCell(key, field) is { } cell && !cell.Evaluate().TryGetInt64(out current))
        {
            throw new KvException(KvException.HashNotInteger);
        }

        long next;
        try
        {
            next = checked(current + delta);
        }
        catch (OverflowException)
        {
            throw new KvException(KvException.Overflow);
        }

        IncrementField(key, field, delta, 0);
        return next;
    }

    public double HashIncrementByFloat(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, double delta)
    {
        var current = 0d;
        if (FieldCell(key, field) is { } cell && !cell.Evaluate().TryGetDouble(out current))
        {
            throw new KvException(KvException.HashNotFloat);
        }

        if (!double.IsFinite(current + delta))
        {
            throw new KvException(KvException.NaNOrInfinity);
        }

        var next = IncrementField(key, field, 0, delta);
        next.Evaluate().TryGetDouble(out var value);
        return value;
    }

    public void HashEntries(ReadOnlySpan<byte> key, List<KeyValuePair<byte[], byte[]>> entries)
    {
        if (LiveOfType(key, KvType.Hash)?.Fields is not { } fields)
        {
            return;
        }

        foreach (var (field, cell) in fields)
        {
            var value = cell.Counters.Length == 0 && cell.WinningRegister is { } text ? text : cell.Evaluate().ToArray();
            entries.Add(new(field, value));
        }
    }

    private ValueCell? FieldCell(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field) =>
        LiveOfType(key, KvType.Hash)?.Fields is { } fields && fields.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(field, out var cell)
            ? cell
            : null;

    private ValueCell IncrementField(ReadOnlySpan<byte> key, ReadOnlySpan<byte> field, long integer, double fraction)
    {
        var state = ForWrite(key, KvType.Hash);
        var fields = state.Fields ??= new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance);
        var lookup = fields.GetAlternateLookup<ReadOnlySpan<byte>>();
        var name = lookup.TryGetValue(field, out var storedName, out var old) ? storedName : field.ToArray();
        SnapshotField(state, fields, name, old);
        var next = AddShare(state, old ?? ValueCell.Empty, integer, fraction);
        fields[name] = next;
        state.Type = KvType.Hash;
        return next;
    }
}
