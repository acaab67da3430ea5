using System.Buffers.Binary;

namespace Fornax.Functions.Native;

/// <summary>
/// A guest's linear memory for the length of one host call: its base and current size, read from Wasmtime at the start
/// of the call (a <c>memory.grow</c> in an earlier call may have changed the size). Guest pointers are unsigned 32-bit
/// offsets; anything reaching past the end is refused (the host answers EFAULT), never read or written.
/// </summary>
internal readonly unsafe ref struct GuestMemory
{
    private readonly byte* _base;
    private readonly ulong _size;

    public GuestMemory(byte* data, nuint size)
    {
        _base = data;
        _size = size;
    }

    public ulong Size => _size;

    /// <summary>The bytes at [<paramref name="pointer"/>, +<paramref name="length"/>) of guest memory, if they are all inside it.</summary>
    public bool TryGet(uint pointer, uint length, out Span<byte> span)
    {
        if (_base == null || (ulong)pointer + length > _size || length > int.MaxValue)
        {
            span = default;
            return false;
        }

        span = new Span<byte>(_base + pointer, (int)length);
        return true;
    }

    public bool TryWriteInt32(uint pointer, int value)
    {
        if (!TryGet(pointer, 4, out var span)) return false;
        BinaryPrimitives.WriteInt32LittleEndian(span, value);
        return true;
    }
}
