using System.Buffers;

namespace Fornax.Kv.Replication;

/// <summary>LEB128 varints and zigzag for the compact batch encoding (<see cref="BatchWriter"/>, <see cref="BatchReader"/>).</summary>
internal static class WireVarint
{
    public static void Write(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        output.Advance(n);
    }

    public static void WriteSigned(IBufferWriter<byte> output, long value) => Write(output, ZigZag(value));

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
