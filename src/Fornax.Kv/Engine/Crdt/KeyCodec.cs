using System.Buffers;
using System.Buffers.Binary;

namespace Fornax.Kv.Engine.Crdt;

/// <summary>
/// The binary form of a <see cref="KeyState"/> (on disk and on the replication stream). Canonical: entries sorted,
/// so equal states encode to equal bytes. Reading checks every length against what is left and throws
/// <see cref="InvalidDataException"/> on garbage, before anything is applied.
/// </summary>
internal static class KeyCodec
{
    private const byte FormatVersion = 1;

    /// <summary>The state without its set members and hash fields, which are records of their own (<see cref="WriteMember"/>, <see cref="WriteField"/>).</summary>
    private const byte FormatElementsApart = 2;

    public static void Write(KeyState state, IBufferWriter<byte> output) => Write(state, output, elementsApart: false);

    /// <summary>The form on disk: members and fields apart (a write costs the elements it changed), read back with <see cref="ReadHeader"/>.</summary>
    public static void WriteHeader(KeyState state, IBufferWriter<byte> output) => Write(state, output, elementsApart: true);

    private static void Write(KeyState state, IBufferWriter<byte> output, bool elementsApart)
    {
        var w = new Writer(output);
        w.Byte(elementsApart ? FormatElementsApart : FormatVersion);
        w.Bytes(state.Key);
        var clock = state.Clock.Entries;
        w.Count(clock.Length);
        foreach (var dot in clock)
        {
            w.Dot(dot);
        }

        WriteCell(ref w, state.Str);
        WriteMap(ref w, elementsApart ? null : state.Members, static (ref Writer w, AddDot[] dots) =>
        {
            w.Count(dots.Length);
            foreach (var dot in Sorted(dots))
            {
                w.Dot(dot.Stamp);
            }
        });
        WriteMap(ref w, elementsApart ? null : state.Fields, WriteCell);
        w.Count(state.Expiry.Length);
        foreach (var entry in Sorted(state.Expiry))
        {
            w.Dot(entry.Stamp);
            w.Int64(entry.UnixMs);
        }
    }

    public static byte[] ToArray(KeyState state)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(state, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static KeyState Read(ReadOnlySpan<byte> data)
    {
        var state = ReadHeader(data, out var elementsApart);
        if (elementsApart)
        {
            throw new InvalidDataException("a key state without its elements where a whole one was expected");
        }

        return state;
    }

    /// <summary>
    /// Reads either form. When <paramref name="elementsApart"/> comes back true the caller adds the members and fields
    /// from their records, then calls <see cref="Complete"/> (the checks need the whole state).
    /// </summary>
    public static KeyState ReadHeader(ReadOnlySpan<byte> data, out bool elementsApart)
    {
        var r = new Reader(data);
        var version = r.Byte();
        if (version is not (FormatVersion or FormatElementsApart))
        {
            throw new InvalidDataException("unknown key state format version");
        }

        elementsApart = version == FormatElementsApart;

        var state = new KeyState(r.Bytes());
        var clockCount = r.Count(16);
        for (var i = 0; i < clockCount; i++)
        {
            state.Clock.Observe(r.Dot());
        }

        state.Str = ReadCell(ref r);
        var members = r.Count(2);
        for (var i = 0; i < members; i++)
        {
            var member = r.Bytes();
            var dots = new AddDot[r.Count(16)];
            for (var j = 0; j < dots.Length; j++)
            {
                dots[j] = new AddDot(r.Dot());
            }

            state.Members ??= new Dictionary<byte[], AddDot[]>(ByteArrayComparer.Instance);
            if (dots.Length == 0 || !state.Members.TryAdd(member, dots))
            {
                throw new InvalidDataException("a set member is empty or repeated");
            }
        }

        var fields = r.Count(2);
        for (var i = 0; i < fields; i++)
        {
            var field = r.Bytes();
            var cell = ReadCell(ref r);
            state.Fields ??= new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance);
            if (cell.IsEmpty || !state.Fields.TryAdd(field, cell))
            {
                throw new InvalidDataException("a hash field is empty or repeated");
            }
        }

        var expiry = new ExpiryEntry[r.Count(24)];
        for (var i = 0; i < expiry.Length; i++)
        {
            expiry[i] = new ExpiryEntry(r.Dot(), r.Int64());
        }

        state.Expiry = expiry;
        if (!r.AtEnd)
        {
            throw new InvalidDataException("trailing bytes after a key state");
        }

        if (!elementsApart)
        {
            Complete(state);
        }

        return state;
    }

    /// <summary>Checks a state assembled from its records and computes what readers see.</summary>
    public static void Complete(KeyState state)
    {
        CheckDotsCovered(state);
        state.RecomputeDerived();
    }

    /// <summary>A set member's record value: its add dots.</summary>
    public static void WriteMember(AddDot[] dots, IBufferWriter<byte> output)
    {
        var w = new Writer(output);
        w.Count(dots.Length);
        foreach (var dot in dots)
        {
            w.Dot(dot.Stamp);
        }
    }

    public static AddDot[] ReadMember(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        var dots = new AddDot[r.Count(16)];
        for (var i = 0; i < dots.Length; i++)
        {
            dots[i] = new AddDot(r.Dot());
        }

        if (dots.Length == 0 || !r.AtEnd)
        {
            throw new InvalidDataException("a set member record is empty or has trailing bytes");
        }

        return dots;
    }

    /// <summary>A hash field's record value: its cell.</summary>
    public static void WriteField(ValueCell cell, IBufferWriter<byte> output)
    {
        var w = new Writer(output);
        WriteCell(ref w, cell);
    }

    public static ValueCell ReadField(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        var cell = ReadCell(ref r);
        if (cell.IsEmpty || !r.AtEnd)
        {
            throw new InvalidDataException("a hash field record is empty or has trailing bytes");
        }

        return cell;
    }

    /// <summary>Every dot in a well-formed state is in its clock; a state that breaks this would merge wrongly.</summary>
    private static void CheckDotsCovered(KeyState state)
    {
        static void Check<T>(T[] entries, VersionVector clock)
            where T : IDotted
        {
            foreach (var e in entries)
            {
                if (!clock.Covers(e.Stamp))
                {
                    throw new InvalidDataException("a dot is not covered by the key's clock");
                }
            }
        }

        Check(state.Str.Registers, state.Clock);
        Check(state.Str.Counters, state.Clock);
        Check(state.Expiry, state.Clock);
        foreach (var dots in state.Members?.Values ?? (IEnumerable<AddDot[]>)[])
        {
            Check(dots, state.Clock);
        }

        foreach (var cell in state.Fields?.Values ?? (IEnumerable<ValueCell>)[])
        {
            Check(cell.Registers, state.Clock);
            Check(cell.Counters, state.Clock);
        }
    }

    private delegate void WriteValue<T>(ref Writer w, T value);

    private static void WriteMap<T>(ref Writer w, Dictionary<byte[], T>? map, WriteValue<T> write)
    {
        if (map is null)
        {
            w.Count(0);
            return;
        }

        w.Count(map.Count);
        var names = map.Keys.ToArray();
        Array.Sort(names, ByteArrayComparer.Instance);
        foreach (var name in names)
        {
            w.Bytes(name);
            write(ref w, map[name]);
        }
    }

    private static void WriteCell(ref Writer w, ValueCell cell)
    {
        w.Count(cell.Registers.Length);
        foreach (var register in Sorted(cell.Registers))
        {
            w.Dot(register.Stamp);
            w.Bytes(register.Value);
        }

        w.Count(cell.Counters.Length);
        foreach (var share in Sorted(cell.Counters))
        {
            w.Dot(share.Stamp);
            w.Int64(share.Integer);
            w.Int64(BitConverter.DoubleToInt64Bits(share.Float));
        }
    }

    private static ValueCell ReadCell(ref Reader r)
    {
        var registers = new Register[r.Count(17)];
        for (var i = 0; i < registers.Length; i++)
        {
            registers[i] = new Register(r.Dot(), r.Bytes());
        }

        var counters = new CounterShare[r.Count(32)];
        for (var i = 0; i < counters.Length; i++)
        {
            counters[i] = new CounterShare(r.Dot(), r.Int64(), BitConverter.Int64BitsToDouble(r.Int64()));
            if (!double.IsFinite(counters[i].Float))
            {
                throw new InvalidDataException("a counter share is not a finite number");
            }
        }

        return registers.Length == 0 && counters.Length == 0 ? ValueCell.Empty : new ValueCell(registers, counters);
    }

    private static T[] Sorted<T>(T[] entries)
        where T : IDotted
    {
        if (entries.Length < 2)
        {
            return entries;
        }

        var copy = (T[])entries.Clone();
        Array.Sort(copy, static (a, b) => a.Stamp.CompareTo(b.Stamp));
        return copy;
    }

    private ref struct Writer(IBufferWriter<byte> output)
    {
        public readonly void Byte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }

        public readonly void Count(int value)
        {
            var span = output.GetSpan(5);
            var n = 0;
            var v = (uint)value;
            while (v >= 0x80)
            {
                span[n++] = (byte)(v | 0x80);
                v >>= 7;
            }

            span[n++] = (byte)v;
            output.Advance(n);
        }

        public readonly void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), value);
            output.Advance(8);
        }

        public readonly void Dot(Dot dot)
        {
            Int64((long)dot.Replica);
            Int64(dot.Hlc);
        }

        public readonly void Bytes(ReadOnlySpan<byte> value)
        {
            Count(value.Length);
            value.CopyTo(output.GetSpan(value.Length));
            output.Advance(value.Length);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public readonly bool AtEnd => _at == _data.Length;

        public byte Byte()
        {
            Need(1);
            return _data[_at++];
        }

        /// <summary>A count of items each at least <paramref name="minItemBytes"/> long: refused when the rest cannot hold them.</summary>
        public int Count(int minItemBytes)
        {
            uint value = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw new InvalidDataException("a length is malformed");
                }

                var b = Byte();
                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    break;
                }
            }

            if (value > int.MaxValue || (long)value * minItemBytes > _data.Length - _at)
            {
                throw new InvalidDataException("a length runs past the end of the data");
            }

            return (int)value;
        }

        public long Int64()
        {
            Need(8);
            var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_at..]);
            _at += 8;
            return value;
        }

        public Dot Dot() => new((ulong)Int64(), Int64());

        public byte[] Bytes()
        {
            var length = Count(1);
            var value = _data.Slice(_at, length).ToArray();
            _at += length;
            return value;
        }

        private readonly void Need(int n)
        {
            if (_data.Length - _at < n)
            {
                throw new InvalidDataException("the data ends early");
            }
        }
    }
}
