using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Fornax.Kv.Resp;

/// <summary>
/// Replies of one connection, in RESP2 or RESP3 (after <c>HELLO 3</c>), gathered in a buffer until the batch of
/// pipelined commands is done and then copied to the socket in one write. The buffer can be rewound to a
/// <see cref="Mark"/>, so a command that fails half-way answers only its error.
/// </summary>
internal sealed class RespReplyWriter(ErrorStats? errors = null)
{
    /// <summary>A buffer grown past this by one large reply is dropped afterwards rather than kept for the connection's life.</summary>
    private const int RetainedBytes = 64 * 1024;

    private byte[] _buffer = [];
    private int _length;

    /// <summary>
    /// How many bytes at the start of the buffer are sent already: the replies before a command that blocked, sent while
    /// it waits (<see cref="SentSoFar"/>). They stay in place, so every <see cref="Mark"/> taken meanwhile stays valid.
    /// </summary>
    private int _sentUpTo;

    /// <summary>2 or 3.</summary>
    public int Protocol { get; set; } = 2;

    public bool IsResp3 => Protocol == 3;

    public int Mark => _length;

    public int Length => _length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Rewind(int mark) => _length = Math.Max(mark, _sentUpTo);

    /// <summary>Whether the reply written since <paramref name="mark"/> is an error (the command failed).</summary>
    public bool IsErrorAt(int mark) => _length > mark && _buffer[mark] == (byte)'-';

    /// <summary>Copies the replies to <paramref name="output"/> and empties the buffer.</summary>
    public void DrainTo(IBufferWriter<byte> output)
    {
        if (_length > _sentUpTo)
        {
            output.Write(_buffer.AsSpan(_sentUpTo, _length - _sentUpTo));
        }

        Sent();
    }

    /// <summary>The replies gathered and not sent yet, for a socket to send straight from the buffer (then <see cref="Sent"/>).</summary>
    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(_sentUpTo, _length - _sentUpTo);

    /// <summary>Empties the buffer once its replies are gone (sent, or copied by <see cref="DrainTo"/>).</summary>
    public void Sent()
    {
        _length = 0;
        _sentUpTo = 0;
        if (_buffer.Length > RetainedBytes)
        {
            _buffer = [];
        }
    }

    /// <summary>The replies so far are sent, in the middle of a command (one that blocks): they stay in the buffer, behind its marks, until <see cref="Sent"/>.</summary>
    public void SentSoFar() => _sentUpTo = _length;

    public void Ok() => Raw("+OK\r\n"u8);

    public void Queued() => Raw("+QUEUED\r\n"u8);

    public void SimpleString(ReadOnlySpan<byte> text)
    {
        Byte((byte)'+');
        Raw(text);
        Crlf();
    }

    /// <summary>An error; <paramref name="message"/> starts with its code (ERR, WRONGTYPE, NOAUTH...). Line breaks become spaces.</summary>
    public void Error(string message)
    {
        errors?.Count(message);
        Byte((byte)'-');
        var span = Reserve(Encoding.UTF8.GetMaxByteCount(message.Length));
        var count = Encoding.UTF8.GetBytes(message, span);
        foreach (ref var b in span[..count])
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                b = (byte)' ';
            }
        }

        _length += count;
        Crlf();
    }

    public void Integer(long value) => Number((byte)':', value);

    public void Boolean(bool value)
    {
        if (IsResp3)
        {
            Raw(value ? "#t\r\n"u8 : "#f\r\n"u8);
        }
        else
        {
            Integer(value ? 1 : 0);
        }
    }

    public void Bulk(ReadOnlySpan<byte> value)
    {
        Number((byte)'$', value.Length);
        Raw(value);
        Crlf();
    }

    public void Bulk(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Number((byte)'$', count);
        _length += Encoding.UTF8.GetBytes(value, Reserve(count));
        Crlf();
    }

    public void BulkInteger(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var count);
        Bulk(digits[..count]);
    }

    /// <summary>A float reply: RESP3's double, RESP2's bulk string (as Redis does for e.g. HINCRBYFLOAT... which stays bulk in both).</summary>
    public void Double(double value)
    {
        if (IsResp3)
        {
            Byte((byte)',');
            RawAscii(RespText.FormatDouble(value));
            Crlf();
        }
        else
        {
            Bulk(RespText.FormatDouble(value));
        }
    }

    /// <summary>A missing value: RESP2's null bulk string, RESP3's null.</summary>
    public void Null() => Raw(IsResp3 ? "_\r\n"u8 : "$-1\r\n"u8);

    /// <summary>A missing array (EXEC aborted by WATCH, timeouts): RESP2's null array, RESP3's null.</summary>
    public void NullArray() => Raw(IsResp3 ? "_\r\n"u8 : "*-1\r\n"u8);

    public void Array(int count) => Number((byte)'*', count);

    /// <summary>Out-of-band data (pub/sub's subscribe replies and messages): RESP3's push type, an array in RESP2.</summary>
    public void Push(int count) => Number(IsResp3 ? (byte)'>' : (byte)'*', count);

    /// <summary>A map of <paramref name="pairs"/> entries: RESP3's map, a flat array of twice as many in RESP2.</summary>
    public void Map(int pairs)
    {
        if (IsResp3)
        {
            Number((byte)'%', pairs);
        }
        else
        {
            Array(pairs * 2);
        }
    }

    /// <summary>A set: RESP3's set type, an array in RESP2.</summary>
    public void Set(int count) => Number(IsResp3 ? (byte)'~' : (byte)'*', count);

    /// <summary>A text reply such as INFO's: RESP3's verbatim string (txt), a bulk string in RESP2.</summary>
    public void Verbatim(string text)
    {
        if (!IsResp3)
        {
            Bulk(text);
            return;
        }

        var count = Encoding.UTF8.GetByteCount(text);
        Number((byte)'=', count + 4);
        Raw("txt:"u8);
        _length += Encoding.UTF8.GetBytes(text, Reserve(count));
        Crlf();
    }

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    private void RawAscii(string text) => _length += Encoding.ASCII.GetBytes(text, Reserve(text.Length));

    private void Number(byte type, long value)
    {
        var span = Reserve(23);
        span[0] = type;
        Utf8Formatter.TryFormat(value, span[1..], out var count);
        span[count + 1] = (byte)'\r';
        span[count + 2] = (byte)'\n';
        _length += count + 3;
    }

    private void Byte(byte b)
    {
        Reserve(1)[0] = b;
        _length++;
    }

    private void Crlf() => Raw("\r\n"u8);

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            System.Array.Resize(ref _buffer, Math.Max(Math.Max(512, _buffer.Length * 2), _length + count));
        }

        return _buffer.AsSpan(_length, count);
    }
}
