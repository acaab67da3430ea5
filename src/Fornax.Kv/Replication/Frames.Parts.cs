using System.Buffers.Binary;

namespace Fornax.Kv.Replication;

/// <summary>
/// A batch over <see cref="MaxFrameBytes"/> (one key whose whole state is larger: a catch-up of a big set, a delta
/// whose base the receiver lacks) travels as consecutive Part frames of <see cref="PartBytes"/>, each
/// <c>[8][total: int32][offset: int32][bytes]</c>, reassembled by the receiver (<see cref="FrameAssembly"/>) up to
/// <see cref="MaxWholeFrameBytes"/> and then decoded as one frame. Every frame on the stream stays under the frame limit.
/// </summary>
internal static partial class Frames
{
    public const byte Part = 8;

    /// <summary>Bytes of the cut frame each part carries (well under gRPC's 4 MiB message default).</summary>
    public const int PartBytes = 1 << 20;

    /// <summary>Largest frame a receiver reassembles from parts: what a peer may make it hold per link.</summary>
    public const int MaxWholeFrameBytes = 64 << 20;

    private const int PartHeader = 9;

    /// <summary>The frame itself when under the limit, else its parts.</summary>
    public static IEnumerable<byte[]> Cut(byte[] frame)
    {
        if (frame.Length <= MaxFrameBytes)
        {
            yield return frame;
            yield break;
        }

        for (var offset = 0; offset < frame.Length; offset += PartBytes)
        {
            var length = Math.Min(PartBytes, frame.Length - offset);
            var part = new byte[PartHeader + length];
            part[0] = Part;
            BinaryPrimitives.WriteInt32LittleEndian(part.AsSpan(1), frame.Length);
            BinaryPrimitives.WriteInt32LittleEndian(part.AsSpan(5), offset);
            frame.AsSpan(offset, length).CopyTo(part.AsSpan(PartHeader));
            yield return part;
        }
    }
}

/// <summary>
/// Reassembles a frame cut into parts, refusing (with a protocol error) what a well-behaved sender never sends: a
/// total over the bound or under the frame limit, a part out of order or past the total, an empty part, another frame
/// in the middle of a cut one, or a reassembled frame that is not a batch.
/// </summary>
internal sealed class FrameAssembly
{
    private byte[]? _frame;
    private int _written;

    public bool InProgress => _frame is not null;

    /// <summary>Adds a part; returns the whole frame once its last part arrived, else null.</summary>
    public byte[]? Add(ReadOnlySpan<byte> part)
    {
        var r = new Frames.FrameReader(part, Frames.Part);
        var total = r.Int32();
        var offset = r.Int32();
        var data = part[9..];
        if (_frame is null)
        {
            if (offset != 0)
            {
                throw new ReplicationProtocolException($"a part at offset {offset} with no cut frame begun");
            }

            if (total <= Frames.MaxFrameBytes || total > Frames.MaxWholeFrameBytes)
            {
                throw new ReplicationProtocolException(
                    $"a cut frame of {total} bytes: only frames over {Frames.MaxFrameBytes} and up to {Frames.MaxWholeFrameBytes} bytes are cut");
            }

            _frame = new byte[total];
            _written = 0;
        }

        if (total != _frame.Length || offset != _written || data.IsEmpty || data.Length > total - _written)
        {
            throw new ReplicationProtocolException($"a part of {data.Length} bytes at offset {offset} of {total} does not continue the cut frame ({_written} of {_frame.Length} bytes received)");
        }

        data.CopyTo(_frame.AsSpan(_written));
        _written += data.Length;
        if (_written < _frame.Length)
        {
            return null;
        }

        var whole = _frame;
        _frame = null;
        if (whole[0] != Frames.Batch)
        {
            throw new ReplicationProtocolException($"a cut frame of type {whole[0]}: only batches are cut");
        }

        return whole;
    }
}
