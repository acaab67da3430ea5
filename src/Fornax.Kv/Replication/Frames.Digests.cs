using System.Buffers;
using System.Buffers.Binary;

namespace Fornax.Kv.Replication;

/// <summary>
/// The digest exchange: DigestRequest (a depth and the token ranges at that depth, each named by its prefix of
/// 4 × depth bits) and DigestReply (for each range asked, the digest and key count of each of its 16 sub-ranges). Both are bounded and
/// checked whole before anything is computed from them.
/// </summary>
internal static partial class Frames
{
    public const byte DigestRequest = 5;
    public const byte DigestReply = 6;

    /// <summary>A token is 64 bits, cut 4 bits a level: ranges at depth 16 are single tokens and cannot be cut again.</summary>
    public const int MaxDepth = 15;

    /// <summary>Ranges per request: a reply is then at most 4,096 × 16 × 12 = 768 KiB, well under the frame limit.</summary>
    public const int MaxDigestRanges = 4096;

    public const int Fanout = 16;

    public static byte[] EncodeDigestRequest(int depth, List<ulong> ranges)
    {
        var frame = new byte[6 + (8 * ranges.Count)];
        frame[0] = DigestRequest;
        frame[1] = (byte)depth;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(2), ranges.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(6 + (8 * i)), ranges[i]);
        }

        return frame;
    }

    public static (int Depth, List<ulong> Ranges) DecodeDigestRequest(ReadOnlySpan<byte> frame)
    {
        var r = new FrameReader(frame, DigestRequest);
        int depth = r.Byte();
        var count = r.Int32();
        if (depth > MaxDepth)
        {
            throw new ReplicationProtocolException($"a digest request at depth {depth} is over the limit of {MaxDepth}");
        }

        if (count is < 1 or > MaxDigestRanges)
        {
            throw new ReplicationProtocolException($"a digest request of {count} ranges is outside 1..{MaxDigestRanges}");
        }

        var ranges = new List<ulong>(count);
        for (var i = 0; i < count; i++)
        {
            var range = r.UInt64();
            if ((depth == 0 && range != 0) || (depth > 0 && depth < 16 && range >> (4 * depth) != 0))
            {
                throw new ReplicationProtocolException($"digest range {range:x} does not exist at depth {depth}");
            }

            if (i > 0 && range <= ranges[^1])
            {
                throw new ReplicationProtocolException("the ranges of a digest request are not in ascending order");
            }

            ranges.Add(range);
        }

        r.End();
        return (depth, ranges);
    }

    public static byte[] EncodeDigestReply(ulong[] digests, int[] counts)
    {
        var frame = new byte[5 + (12 * digests.Length)];
        frame[0] = DigestReply;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(1), digests.Length);
        for (var i = 0; i < digests.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(5 + (12 * i)), digests[i]);
            BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(13 + (12 * i)), counts[i]);
        }

        return frame;
    }

    /// <summary>Decodes a reply, which must hold 16 digests for each of the <paramref name="asked"/> ranges.</summary>
    public static (ulong[] Digests, int[] Counts) DecodeDigestReply(ReadOnlySpan<byte> frame, int asked)
    {
        var r = new FrameReader(frame, DigestReply);
        var count = r.Int32();
        if (count != asked * Fanout)
        {
            throw new ReplicationProtocolException($"a digest reply of {count} digests, for a request that needs {asked * Fanout}");
        }

        var digests = new ulong[count];
        var counts = new int[count];
        for (var i = 0; i < count; i++)
        {
            digests[i] = r.UInt64();
            counts[i] = r.Int32();
            if (counts[i] < 0)
            {
                throw new ReplicationProtocolException($"a digest reply counts {counts[i]} keys in a range");
            }
        }

        r.End();
        return (digests, counts);
    }
}
