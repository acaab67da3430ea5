using System.Buffers;

namespace Fornax.Kv.Resp;

/// <summary>
/// A socket connection's received bytes that the parser has not consumed yet: one rented array, filled at its end and
/// consumed from its start. The parser copies every argument byte it reads into its arena, so what stays unconsumed is
/// at most a line it waits the end of (<see cref="RespRequestParser.InlineMaxBytes"/>, past which it fails): the array
/// never grows past <see cref="MaxBytes"/>, whatever a client sends. An idle connection holds no array at all
/// (<see cref="Release"/>), so ten thousand idle clients cost no buffers.
/// </summary>
internal sealed class RespReceiveBuffer
{
    /// <summary>What one receive asks the kernel for, at least.</summary>
    public const int ChunkBytes = 16 * 1024;

    /// <summary>The longest line the parser waits for, plus a receive's room after it.</summary>
    public const int MaxBytes = RespRequestParser.InlineMaxBytes + ChunkBytes;

    private byte[]? _bytes;
    private int _start;
    private int _end;

    /// <summary>Bytes received and not consumed yet (CLIENT LIST's <c>qbuf</c>).</summary>
    public int Length => _end - _start;

    public ReadOnlySequence<byte> Unread => _bytes is null ? ReadOnlySequence<byte>.Empty : new(_bytes, _start, _end - _start);

    /// <summary>Room at the end for the next receive: the unconsumed bytes are moved to the start, the array grown if they fill it.</summary>
    public Memory<byte> Free()
    {
        if (_bytes is null)
        {
            _bytes = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            return _bytes;
        }

        if (_start > 0)
        {
            _bytes.AsSpan(_start, _end - _start).CopyTo(_bytes);
            _end -= _start;
            _start = 0;
        }

        if (_end == _bytes.Length)
        {
            if (_bytes.Length >= MaxBytes)
            {
                // Cannot happen while the parser keeps its line limit; a receive into no room would read as the end.
                throw new InvalidOperationException($"{_end} unparsed bytes fill the receive buffer");
            }

            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(MaxBytes, _bytes.Length * 2));
            _bytes.AsSpan(0, _end).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = grown;
        }

        return _bytes.AsMemory(_end);
    }

    /// <summary>The free end of the array, without moving what it holds (the bytes being parsed stay where they are):
    /// where a blocked command's loop reads meanwhile. Empty when there is none.</summary>
    public Memory<byte> Room() => _bytes is null ? Memory<byte>.Empty : _bytes.AsMemory(_end);

    public void Received(int count) => _end += count;

    public void Consumed(long count)
    {
        _start += (int)count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Gives the array back when nothing is left in it (before waiting for a client that may stay idle).</summary>
    public void Release()
    {
        if (_bytes is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_bytes);
            _bytes = null;
        }
    }

    /// <summary>Gives the array back for good (the connection is over).</summary>
    public void Dispose()
    {
        _start = _end = 0;
        Release();
    }
}
