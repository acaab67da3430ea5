using System.Buffers.Binary;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// Decodes what <see cref="BatchWriter"/> encodes. Every count is checked against the bytes left, every replica index
/// against the batch's table, every dot against the key's clock (a dot is read as a distance below the clock entry of
/// its replica, so a dot the clock does not cover cannot even be written); garbage throws
/// <see cref="InvalidDataException"/> before anything is applied.
/// </summary>
internal ref struct BatchReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly ulong[] _replicas;
    private int _at;
    private long _previousHlc;
    private byte[] _previousKey = [];

    public BatchReader(ReadOnlySpan<byte> data, ulong[] replicas)
    {
        _data = data;
        _replicas = replicas;
    }

    public readonly bool AtEnd => _at == _data.Length;

    /// <summary>The replica table of a batch: a count, then 8 bytes per replica (at most <paramref name="max"/>).</summary>
    public static ulong[] ReadReplicas(ReadOnlySpan<byte> data, ref int at, int max)
    {
        var reader = new BatchReader(data, []) { _at = at };
        var count = reader.Count(8);
        if (count > max)
        {
            throw new InvalidDataException($"{count} replicas in one batch is over the limit of {max}");
        }

        var replicas = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            replicas[i] = BinaryPrimitives.ReadUInt64LittleEndian(reader.Take(8));
        }

        at = reader._at;
        return replicas;
    }

    public KeyState ReadState()
    {
        var length = Count(1);
        var end = _at + length;
        var shared = Varint();
        if (shared > (ulong)_previousKey.Length)
        {
            throw new InvalidDataException("a key shares more bytes with the key before than it has");
        }

        var rest = Take(Count(1));
        var key = new byte[(int)shared + rest.Length];
        _previousKey.AsSpan(0, (int)shared).CopyTo(key);
        rest.CopyTo(key.AsSpan((int)shared));
        _previousKey = key;
        var state = new KeyState(key);
        var clockCount = Count(2);
        for (var i = 0; i < clockCount; i++)
        {
            var replica = Replica();
            _previousHlc += WireVarint.UnZigZag(Varint());
            if (_previousHlc <= 0)
            {
                throw new InvalidDataException("a clock entry is not a positive time");
            }

            state.Clock.Observe(new Dot(replica, _previousHlc));
        }

        var shape = Take(1)[0];
        var delta = (shape & BatchWriter.HasDelta) != 0;
        if (delta)
        {
            // The base is an earlier clock of the same key: each entry at most the clock's (read as a distance below it).
            state.DeltaBase = new VersionVector();
            var baseCount = Count(2);
            for (var i = 0; i < baseCount; i++)
            {
                state.DeltaBase.Observe(Dot(state.Clock));
            }
        }

        state.Str = ReadCell(shape, state.Clock);
        if ((shape & BatchWriter.HasMembers) != 0)
        {
            state.Members = new Dictionary<byte[], AddDot[]>(ByteArrayComparer.Instance);
            var members = Count(delta ? 2 : 3);
            for (var i = 0; i < members; i++)
            {
                var member = Bytes();
                var dots = new AddDot[Count(2)];
                for (var j = 0; j < dots.Length; j++)
                {
                    dots[j] = new AddDot(Dot(state.Clock));
                }

                if ((dots.Length == 0 && !delta) || !state.Members.TryAdd(member, dots))
                {
                    throw new InvalidDataException("a set member is empty or repeated");
                }
            }
        }

        if ((shape & BatchWriter.HasFields) != 0)
        {
            state.Fields = new Dictionary<byte[], ValueCell>(ByteArrayComparer.Instance);
            var fields = Count(2);
            for (var i = 0; i < fields; i++)
            {
                var field = Bytes();
                var cell = ReadCell(Take(1)[0], state.Clock);
                if ((cell.IsEmpty && !delta) || !state.Fields.TryAdd(field, cell))
                {
                    throw new InvalidDataException("a hash field is empty or repeated");
                }
            }
        }

        if ((shape & BatchWriter.HasExpiry) != 0)
        {
            var expiry = new ExpiryEntry[Count(3)];
            for (var i = 0; i < expiry.Length; i++)
            {
                expiry[i] = new ExpiryEntry(Dot(state.Clock), WireVarint.UnZigZag(Varint()));
            }

            state.Expiry = expiry;
        }

        if (_at != end)
        {
            throw new InvalidDataException("a key state's length does not match its content");
        }

        state.RecomputeDerived();
        return state;
    }

    private ValueCell ReadCell(byte shape, VersionVector clock)
    {
        Register[] registers = [];
        CounterShare[] counters = [];
        if ((shape & BatchWriter.HasRegisters) != 0)
        {
            registers = new Register[Count(3)];
            for (var i = 0; i < registers.Length; i++)
            {
                registers[i] = new Register(Dot(clock), Bytes());
            }
        }

        if ((shape & BatchWriter.HasCounters) != 0)
        {
            counters = new CounterShare[Count(4)];
            for (var i = 0; i < counters.Length; i++)
            {
                var dot = Dot(clock);
                var integer = WireVarint.UnZigZag(Varint());
                var number = Take(1)[0] == 0 ? 0d : BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(Take(8)));
                if (!double.IsFinite(number))
                {
                    throw new InvalidDataException("a counter share is not a finite number");
                }

                counters[i] = new CounterShare(dot, integer, number);
            }
        }

        return registers.Length == 0 && counters.Length == 0 ? ValueCell.Empty : new ValueCell(registers, counters);
    }

    private Dot Dot(VersionVector clock)
    {
        var replica = Replica();
        var below = Varint();
        var top = clock.Get(replica);
        if (top <= 0 || below > (ulong)top)
        {
            throw new InvalidDataException("a dot is not covered by the key's clock");
        }

        return new Dot(replica, top - (long)below);
    }

    private ulong Replica()
    {
        var index = Varint();
        if (index >= (ulong)_replicas.Length)
        {
            throw new InvalidDataException("a replica index is not in the batch's table");
        }

        return _replicas[index];
    }

    private byte[] Bytes() => Take(Count(1)).ToArray();

    /// <summary>A count of items each at least <paramref name="minItemBytes"/> long: refused when the rest cannot hold them.</summary>
    private int Count(int minItemBytes)
    {
        var value = Varint();
        if (value > int.MaxValue || (long)value * minItemBytes > _data.Length - _at)
        {
            throw new InvalidDataException("a length runs past the end of the data");
        }

        return (int)value;
    }

    private ulong Varint()
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (shift > 63)
            {
                throw new InvalidDataException("a varint is malformed");
            }

            var b = Take(1)[0];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (_data.Length - _at < n)
        {
            throw new InvalidDataException("the data ends early");
        }

        var slice = _data.Slice(_at, n);
        _at += n;
        return slice;
    }
}
