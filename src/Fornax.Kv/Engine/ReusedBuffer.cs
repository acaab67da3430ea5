using System.Buffers;

namespace Fornax.Kv.Engine;

/// <summary>
/// A long-lived encoding buffer, emptied for its next use. An <see cref="ArrayBufferWriter{T}"/> never shrinks: one big
/// value (a 100 MiB string) grows it to that size, and kept, it holds the memory for the life of the process.
/// </summary>
internal static class ReusedBuffer
{
    /// <summary><paramref name="buffer"/> emptied, or a new one of <paramref name="initialBytes"/> when it grew past <paramref name="retainedBytes"/>.</summary>
    public static ArrayBufferWriter<byte> Emptied(ArrayBufferWriter<byte> buffer, int initialBytes, int retainedBytes)
    {
        if (buffer.Capacity > retainedBytes)
        {
            return new ArrayBufferWriter<byte>(initialBytes);
        }

        buffer.ResetWrittenCount();
        return buffer;
    }
}
