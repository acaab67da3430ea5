using System.Buffers.Binary;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Engine;

/// <summary>
/// Set members and hash fields as records of their own: "e" + key length (4 bytes, big-endian) + key + 'm' + member →
/// its add dots, "e" + … + 'f' + field → its cell. A SADD or HSET writes the one element it changed (and the key's small
/// header record: its clock); a collection replaced as a whole is deleted by range and written again.
/// </summary>
internal sealed partial class KvDiskWriter
{
    private const byte ElementPrefix = (byte)'e';
    private const byte MemberKind = (byte)'m';
    private const byte FieldKind = (byte)'f';

    private enum RecordOp : byte
    {
        Put,
        Delete,
        DeleteRange,
    }

    /// <summary>Encodes the element records of a key that changed (under the store's lock).</summary>
    private void EncodeElements(KeyState state)
    {
        var rewrite = state.RewriteElements || state.Removed;
        if (rewrite && state.ElementsOnDisk)
        {
            AddRange(state.Key, MemberKind);
            AddRange(state.Key, FieldKind);
            state.ElementsOnDisk = false;
        }

        if (!state.Removed && rewrite && state.IsLarge)
        {
            // Every element of a large collection: encoded off the lock from a copy (EncodeLargeRewrites), after the range
            // deletes above in the same batch. A new replica's 950,000-field hash held the lock ~0.5 s here.
            _largeRewrites.Add(state.CopyForEncoding());
            state.ElementsOnDisk = true;
        }
        else if (!state.Removed)
        {
            EncodeChanged(state, MemberKind, state.Members, rewrite ? state.Members?.Keys : state.DirtyMembers);
            EncodeChanged(state, FieldKind, state.Fields, rewrite ? state.Fields?.Keys : state.DirtyFields);
        }

        state.ElementsWritten();
    }

    /// <summary>Encodes the element records of the large collections rewritten in this batch (off the store's lock).</summary>
    private void EncodeLargeRewrites()
    {
        if (_largeRewrites.Count != 0)
        {
            EncodingLarge?.Invoke("disk");
        }

        foreach (var copy in _largeRewrites)
        {
            EncodeChanged(copy, MemberKind, copy.Members, copy.Members?.Keys);
            EncodeChanged(copy, FieldKind, copy.Fields, copy.Fields?.Keys);
        }

        _largeRewrites.Clear();
    }

    private void EncodeChanged(KeyState state, byte kind, Dictionary<byte[], AddDot[]>? map, IEnumerable<byte[]>? names) =>
        EncodeChanged(state, kind, map, names, static (dots, w) => KeyCodec.WriteMember(dots, w));

    private void EncodeChanged(KeyState state, byte kind, Dictionary<byte[], ValueCell>? map, IEnumerable<byte[]>? names) =>
        EncodeChanged(state, kind, map, names, static (cell, w) => KeyCodec.WriteField(cell, w));

    private void EncodeChanged<T>(KeyState state, byte kind, Dictionary<byte[], T>? map, IEnumerable<byte[]>? names, Action<T, System.Buffers.IBufferWriter<byte>> write)
    {
        foreach (var name in names ?? [])
        {
            var keyStart = _buffer.WrittenCount;
            AppendElementKey(state.Key, kind, name);
            var keyLength = _buffer.WrittenCount - keyStart;
            if (map is not null && map.TryGetValue(name, out var value))
            {
                write(value, _buffer);
                _records.Add((keyStart, keyLength, keyStart + keyLength, _buffer.WrittenCount - keyStart - keyLength, RecordOp.Put));
                state.ElementsOnDisk = true;
            }
            else
            {
                _records.Add((keyStart, keyLength, 0, 0, RecordOp.Delete));
            }
        }
    }

    /// <summary>Every element record of one kind of a key: [prefix + kind, prefix + kind + 1).</summary>
    private void AddRange(byte[] key, byte kind)
    {
        var start = _buffer.WrittenCount;
        AppendElementKey(key, kind, []);
        var end = _buffer.WrittenCount;
        AppendElementKey(key, (byte)(kind + 1), []);
        _records.Add((start, end - start, end, _buffer.WrittenCount - end, RecordOp.DeleteRange));
    }

    private void AppendElementKey(byte[] key, byte kind, ReadOnlySpan<byte> name)
    {
        var length = 1 + 4 + key.Length + 1 + name.Length;
        var span = _buffer.GetSpan(length);
        span[0] = ElementPrefix;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], key.Length);
        key.CopyTo(span[5..]);
        span[5 + key.Length] = kind;
        name.CopyTo(span[(6 + key.Length)..]);
        _buffer.Advance(length);
    }

    /// <summary>At start-up: one element record, held (in a state used only as a holder) until its key's record comes.</summary>
    private static void LoadElement(Dictionary<byte[], KeyState> elements, ReadOnlySpan<byte> record, ReadOnlySpan<byte> value)
    {
        if (!TryReadElement(record, out var key, out var kind, out var name) || kind is not (MemberKind or FieldKind))
        {
            throw new InvalidDataException("a malformed set member or hash field record");
        }

        var lookup = elements.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(key, out var holder))
        {
            holder = new KeyState(key.ToArray());
            elements[holder.Key] = holder;
        }

        if (kind == MemberKind)
        {
            (holder.Members ??= new Dictionary<byte[], AddDot[]>(ByteArrayComparer.Instance))[name.ToArray()] = KeyCodec.ReadMember(value);
        }
        else
        {
            (holder.Fields ??= new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance))[name.ToArray()] = KeyCodec.ReadField(value);
        }
    }

    /// <summary>At start-up: an element record's key, member or field, and value (false when the record is malformed).</summary>
    private static bool TryReadElement(ReadOnlySpan<byte> record, out ReadOnlySpan<byte> key, out byte kind, out ReadOnlySpan<byte> name)
    {
        key = name = default;
        kind = 0;
        if (record.Length < 6 || record[0] != ElementPrefix)
        {
            return false;
        }

        var keyLength = BinaryPrimitives.ReadInt32BigEndian(record[1..]);
        if (keyLength < 0 || keyLength > record.Length - 6)
        {
            return false;
        }

        key = record.Slice(5, keyLength);
        kind = record[5 + keyLength];
        name = record[(6 + keyLength)..];
        return true;
    }
}
