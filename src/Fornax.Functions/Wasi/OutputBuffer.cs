using System.Buffers;

namespace Fornax.Functions.Wasi;

/// <summary>
/// A capped, pooled byte buffer for a guest's stdout or stderr. Never grows past its cap, whatever the guest writes.
/// Reused request after request by its thread's <see cref="InvocationContext"/> (<see cref="Reset"/>).
/// </summary>
internal sealed class OutputBuffer(int cap)
{
    private byte[] _buffer = [];

    public int Length { get; private set; }
    public int Cap { get; } = cap;
    public bool Overflowed { get; private set; }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    /// <summary>Appends what fits; returns false (and keeps the first <see cref="Cap"/> bytes) when <paramref name="data"/> does not.</summary>
    public bool Write(ReadOnlySpan<byte> data)
    {
        int room = Cap - Length;
        bool fits = data.Length <= room;
        if (!fits)
        {
            Overflowed = true;
            data = data[..room];
        }
        if (data.Length > 0)
        {
            EnsureCapacity(Length + data.Length);
            data.CopyTo(_buffer.AsSpan(Length));
            Length += data.Length;
        }
        return fits;
    }

    private void EnsureCapacity(int needed)
    {
        if (needed <= _buffer.Length) return;
        // Start at 4 KiB (most responses fit), then double, never beyond the cap.
        int size = Math.Min(Cap, Math.Max(needed, Math.Max(4096, _buffer.Length * 2)));
        var next = ArrayPool<byte>.Shared.Rent(size);
        Written.CopyTo(next);
        Return();
        _buffer = next;
    }

    private void Return()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    /// <summary>Empties the buffer for another use, keeping its storage unless that is over <paramref name="keepBytes"/>.</summary>
    public void Reset(int keepBytes)
    {
        if (_buffer.Length > keepBytes) Return();
        Length = 0;
        Overflowed = false;
    }
}
