using System.Buffers.Binary;

namespace Fornax.Portal.Tunnels;

/// <summary>
/// The framing a TCP tunnel carries between its two ends (the forwarder and the portal that dials the backend): each
/// frame is a 4-byte big-endian length and that many bytes; a zero length is the sender's end of data (its TCP FIN).
/// In-band ends keep half-close exact whatever the hops between (an HTTP/1.1 upgrade, an HTTP/2 stream) do when one
/// side stops sending. A length with its top bit set is a hop's last word: the tunnel broke there, and the UTF-8 text
/// that follows says why (a relay that lost its next hop tells the end, which would otherwise see only a closed stream).
/// </summary>
public static class TunnelFrames
{
    /// <summary>The largest payload of one frame: one socket read's worth; a larger length is a broken or hostile peer.</summary>
    public const int MaxPayload = 64 * 1024;

    public const int HeaderLength = 4;

    /// <summary>The top bit of a header: the frame is a broken tunnel's reason, not data.</summary>
    private const uint BrokenFlag = 0x8000_0000;

    /// <summary>The longest reason a broken frame carries; a longer one is cut (it is one line for a log).</summary>
    public const int MaxReasonBytes = 1024;

    /// <summary>Puts the header in front of a payload of <paramref name="payloadLength"/> bytes already at <paramref name="buffer"/>[4..]; returns the frame's length.</summary>
    public static int Frame(Memory<byte> buffer, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer.Span, (uint)payloadLength);
        return HeaderLength + payloadLength;
    }

    public static ValueTask WriteEndAsync(Stream stream, CancellationToken ct) => stream.WriteAsync(new byte[HeaderLength], ct);

    /// <summary>Writes and flushes the frame saying the tunnel broke at this hop, and why.</summary>
    public static async ValueTask WriteBrokenAsync(Stream stream, string reason, CancellationToken ct)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(reason);
        var length = Math.Min(text.Length, MaxReasonBytes);
        var frame = new byte[HeaderLength + length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, BrokenFlag | (uint)length);
        text.AsSpan(0, length).CopyTo(frame.AsSpan(HeaderLength));
        await stream.WriteAsync(frame, ct);
        await stream.FlushAsync(ct);
    }

    /// <summary>
    /// Reads the next frame's payload into <paramref name="buffer"/> (at least <see cref="MaxPayload"/> long): its
    /// length, 0 for the end-of-data frame, -1 when the stream ended without one (the other end went away); throws
    /// <see cref="TunnelBrokenException"/> with the reason a hop sent when the tunnel broke there.
    /// </summary>
    public static async ValueTask<int> ReadAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        if (!await FillAsync(stream, buffer[..HeaderLength], ct))
        {
            return -1;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.Span);
        if ((length & BrokenFlag) != 0)
        {
            await ThrowBrokenAsync(stream, buffer, length & ~BrokenFlag, ct);
        }

        if (length > MaxPayload)
        {
            throw new InvalidDataException($"tunnel frame of {length} bytes is larger than the limit of {MaxPayload}");
        }

        if (length > 0 && !await FillAsync(stream, buffer[..(int)length], ct))
        {
            throw new EndOfStreamException("the tunnel ended inside a frame");
        }

        return (int)length;
    }

    private static async ValueTask ThrowBrokenAsync(Stream stream, Memory<byte> buffer, uint length, CancellationToken ct)
    {
        if (length > MaxReasonBytes)
        {
            throw new InvalidDataException($"tunnel broken-frame of {length} bytes is larger than the limit of {MaxReasonBytes}");
        }

        var reason = length > 0 && await FillAsync(stream, buffer[..(int)length], ct) ? System.Text.Encoding.UTF8.GetString(buffer.Span[..(int)length]) : "";
        throw new TunnelBrokenException(reason.Length > 0 ? reason : "a hop of the tunnel broke it without saying why");
    }

    private static async ValueTask<bool> FillAsync(Stream stream, Memory<byte> target, CancellationToken ct)
    {
        var filled = 0;
        while (filled < target.Length)
        {
            var read = await stream.ReadAsync(target[filled..], ct);
            if (read == 0)
            {
                return filled == 0 ? false : throw new EndOfStreamException("the tunnel ended inside a frame");
            }

            filled += read;
        }

        return true;
    }
}
