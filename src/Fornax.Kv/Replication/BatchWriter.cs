using System.Buffers;
using System.Buffers.Binary;
using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;

namespace Fornax.Kv.Replication;

/// <summary>
/// Encodes a batch frame compactly: the 8-byte replica ids the batch uses are listed once in its header and every dot
/// names its replica by index; a key's clock entries are varint deltas from the previous one in the batch (keys
/// written together have close hybrid-clock times); a dot inside a value is the difference from the key's clock entry
/// for its replica (0 for the common case: the value's write is the key's latest); empty parts cost one bit of a
/// shape byte; a key shares its prefix with the one before. A SET of a 13-byte key and a 32-byte value takes ~50 bytes here, ~90 in the disk form (<see cref="KeyCodec"/>).
/// </summary>
internal sealed class BatchWriter
{
    public const byte HasRegisters = 1;
    public const byte HasCounters = 2;
    public const byte HasMembers = 4;
    public const byte HasFields = 8;
    public const byte HasExpiry = 16;

    /// <summary>A delta: the sender's base clock follows the shape, and only the named members or fields (empty: gone).</summary>
    public const byte HasDelta = 32;

    /// <summary>Buffers grown past this by one big value are let go at the next <see cref="Reset"/>: kept, a single
    /// 100 MiB string held 100 MiB twice over for the life of the process. A batch closes at 256 KiB, so a writer
    /// under ordinary load never reaches it.</summary>
    private const int RetainedBufferBytes = 1 << 20;

    private ArrayBufferWriter<byte> _body = new(64 << 10);
    private ArrayBufferWriter<byte> _state = new(1 << 10);
    private readonly Dictionary<ulong, int> _replicas = [];
    private readonly List<ulong> _replicaOrder = [];
    private long _previousHlc;
    private byte[] _previousKey = [];

    /// <summary>Bytes of the states appended so far (the batch closes near a limit).</summary>
    public int WrittenBytes => _body.WrittenCount;

    /// <summary>What the writer's buffers hold allocated (for tests).</summary>
    internal long RetainedBytes => _body.Capacity + _state.Capacity;

    public void Reset()
    {
        _body = ReusedBuffer.Emptied(_body, 64 << 10, RetainedBufferBytes);
        _state = ReusedBuffer.Emptied(_state, 1 << 10, RetainedBufferBytes);
        _replicas.Clear();
        _replicaOrder.Clear();
        _previousHlc = 0;
        _previousKey = [];
    }

    /// <summary>Largest encoded key state sent: with a closing batch (256 KiB) and its replica table, the frame stays
    /// under what a receiver reassembles (<see cref="Frames.MaxWholeFrameBytes"/>).</summary>
    public const int MaxStateBytes = Frames.MaxWholeFrameBytes - (1 << 20);

    /// <summary>Appends the key's whole state; false (nothing appended) when it encodes to over <see cref="MaxStateBytes"/>.</summary>
    public bool Append(KeyState state) => Append(state, null);

    /// <summary>Appends the delta of a set or hash: its clock, strings and expiry whole, and only the named elements.</summary>
    public bool AppendDelta(KeyState state, VersionVector baseClock, HashSet<byte[]> members, HashSet<byte[]> fields) =>
        Append(state, new Delta(baseClock, members, fields));

    private sealed record Delta(VersionVector Base, HashSet<byte[]> Members, HashSet<byte[]> Fields);

    private bool Append(KeyState state, Delta? delta)
    {
        // Length-prefixed so a reader can bound each state before decoding it.
        var (previousKey, previousHlc) = (_previousKey, _previousHlc);
        _state.ResetWrittenCount();
        WriteState(state, delta, _state);
        if (_state.WrittenCount > MaxStateBytes)
        {
            // The next state is encoded against the one before, which this one must not have become.
            (_previousKey, _previousHlc) = (previousKey, previousHlc);
            return false;
        }

        WireVarint.Write(_body, (ulong)_state.WrittenCount);
        _body.Write(_state.WrittenSpan);
        return true;
    }

    /// <summary>The batch frame, allocated once at its size (it was built in a buffer and copied out: a second
    /// allocation of every batch's size, per peer).</summary>
    public byte[] ToFrame(long number)
    {
        var header = new ArrayBufferWriter<byte>(16);
        WireVarint.Write(header, (ulong)_replicaOrder.Count);
        var frame = GC.AllocateUninitializedArray<byte>(1 + 8 + header.WrittenCount + (_replicaOrder.Count * 8) + _body.WrittenCount);
        frame[0] = Frames.Batch;
        BinaryPrimitives.WriteInt64LittleEndian(frame.AsSpan(1), number);
        header.WrittenSpan.CopyTo(frame.AsSpan(9));
        var at = 9 + header.WrittenCount;
        foreach (var replica in _replicaOrder)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(at), replica);
            at += 8;
        }

        _body.WrittenSpan.CopyTo(frame.AsSpan(at));
        return frame;
    }

    private void WriteState(KeyState state, Delta? delta, ArrayBufferWriter<byte> w)
    {
        // Keys changed together often share a prefix (the keyspace's, a counter's digits): only the rest is sent.
        var shared = state.Key.AsSpan().CommonPrefixLength(_previousKey);
        WireVarint.Write(w, (ulong)shared);
        WriteBytes(w, state.Key.AsSpan(shared));
        _previousKey = state.Key;
        var clock = state.Clock;
        WireVarint.Write(w, (ulong)clock.Entries.Length);
        foreach (var dot in clock.Entries)
        {
            WireVarint.Write(w, (ulong)IndexOf(dot.Replica));
            WireVarint.WriteSigned(w, dot.Hlc - _previousHlc);
            _previousHlc = dot.Hlc;
        }

        var memberNames = delta?.Members ?? (ICollection<byte[]>?)state.Members?.Keys ?? [];
        var fieldNames = delta?.Fields ?? (ICollection<byte[]>?)state.Fields?.Keys ?? [];
        var shape = CellShape(state.Str);
        shape |= memberNames.Count > 0 ? HasMembers : (byte)0;
        shape |= fieldNames.Count > 0 ? HasFields : (byte)0;
        shape |= state.Expiry.Length > 0 ? HasExpiry : (byte)0;
        shape |= delta is not null ? HasDelta : (byte)0;
        w.Write([shape]);
        if (delta is not null)
        {
            WireVarint.Write(w, (ulong)delta.Base.Entries.Length);
            foreach (var dot in delta.Base.Entries)
            {
                WriteDot(w, dot, clock);
            }
        }

        WriteCell(w, state.Str, shape, clock);
        if ((shape & HasMembers) != 0)
        {
            WireVarint.Write(w, (ulong)memberNames.Count);
            foreach (var member in memberNames)
            {
                var dots = state.Members is { } present && present.TryGetValue(member, out var d) ? d : [];
                WriteBytes(w, member);
                WireVarint.Write(w, (ulong)dots.Length);
                foreach (var dot in dots)
                {
                    WriteDot(w, dot.Stamp, clock);
                }
            }
        }

        if ((shape & HasFields) != 0)
        {
            WireVarint.Write(w, (ulong)fieldNames.Count);
            foreach (var field in fieldNames)
            {
                var cell = state.Fields is { } present && present.TryGetValue(field, out var c) ? c : ValueCell.Empty;
                WriteBytes(w, field);
                var cellShape = CellShape(cell);
                w.Write([cellShape]);
                WriteCell(w, cell, cellShape, clock);
            }
        }

        if ((shape & HasExpiry) != 0)
        {
            WireVarint.Write(w, (ulong)state.Expiry.Length);
            foreach (var entry in state.Expiry)
            {
                WriteDot(w, entry.Stamp, clock);
                WireVarint.WriteSigned(w, entry.UnixMs);
            }
        }
    }

    private static byte CellShape(ValueCell cell) =>
        (byte)((cell.Registers.Length > 0 ? HasRegisters : 0) | (cell.Counters.Length > 0 ? HasCounters : 0));

    private void WriteCell(ArrayBufferWriter<byte> w, ValueCell cell, byte shape, VersionVector clock)
    {
        if ((shape & HasRegisters) != 0)
        {
            WireVarint.Write(w, (ulong)cell.Registers.Length);
            foreach (var register in cell.Registers)
            {
                WriteDot(w, register.Stamp, clock);
                WriteBytes(w, register.Value);
            }
        }

        if ((shape & HasCounters) != 0)
        {
            WireVarint.Write(w, (ulong)cell.Counters.Length);
            foreach (var share in cell.Counters)
            {
                WriteDot(w, share.Stamp, clock);
                WireVarint.WriteSigned(w, share.Integer);
                var bits = BitConverter.DoubleToInt64Bits(share.Float);
                w.Write([bits == 0 ? (byte)0 : (byte)1]);
                if (bits != 0)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), bits);
                    w.Advance(8);
                }
            }
        }
    }

    /// <summary>A dot in a value: its replica's index and how far it lies below the key's clock entry for that replica.</summary>
    private void WriteDot(ArrayBufferWriter<byte> w, Dot dot, VersionVector clock)
    {
        WireVarint.Write(w, (ulong)IndexOf(dot.Replica));
        WireVarint.Write(w, (ulong)(clock.Get(dot.Replica) - dot.Hlc));
    }

    private int IndexOf(ulong replica)
    {
        if (!_replicas.TryGetValue(replica, out var index))
        {
            index = _replicaOrder.Count;
            _replicas[replica] = index;
            _replicaOrder.Add(replica);
        }

        return index;
    }

    private static void WriteBytes(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> bytes)
    {
        WireVarint.Write(w, (ulong)bytes.Length);
        w.Write(bytes);
    }
}
