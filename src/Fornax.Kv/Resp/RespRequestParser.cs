using System.Buffers;

namespace Fornax.Kv.Resp;

/// <summary>What one call of <see cref="RespRequestParser.TryParse"/> found.</summary>
internal enum RespParseStatus
{
    /// <summary>More bytes are needed; what was read so far is kept in the parser (the caller may release it).</summary>
    Incomplete,

    /// <summary>A whole command is in <see cref="RespRequestParser.Args"/>.</summary>
    Command,

    /// <summary>The input is malformed; <see cref="RespRequestParser.Error"/> says how. The connection must close.</summary>
    Error,
}

/// <summary>
/// Reads client commands (RESP arrays of bulk strings, or inline commands as typed in telnet) straight from the pipe's
/// <see cref="ReadOnlySequence{T}"/>. It is resumable: a command split across reads is continued where it stopped, and
/// the bytes of arguments already read are consumed (copied into the arena), so a bulk string larger than the pipe's
/// buffer still flows and no byte is parsed twice. Allocation-free once the arena has grown.
/// </summary>
internal sealed partial class RespRequestParser(long maxBulkBytes, int maxArguments)
{
    /// <summary>Redis' <c>PROTO_INLINE_MAX_SIZE</c>: the longest inline command or length line it waits for.</summary>
    internal const int InlineMaxBytes = 64 * 1024;

    /// <summary>Redis' limits before AUTH (networking.c): a stranger cannot make the server buffer much.</summary>
    private const int UnauthenticatedMaxArguments = 10;
    private const int UnauthenticatedMaxBulkBytes = 16 * 1024;

    private readonly ArgArena _arena = new();
    private int _argc = -1;
    private long _bulkLeft = -1;

    public RespArgs Args => _arena.All;

    public string? Error { get; private set; }

    /// <summary>True while a command has started but not finished (what a disconnect interrupts).</summary>
    public bool InCommand => _argc >= 0;

    /// <summary>The bytes of the unfinished command's arguments read so far (CLIENT LIST's <c>argv-mem</c>): a large
    /// value on its way is here, copied out of the receive buffer, not in <c>qbuf</c>.</summary>
    public int PartialArgumentBytes => InCommand ? _arena.BytesUsed : 0;

    /// <summary>Parses the next command; <paramref name="authenticated"/> false applies Redis' limits for strangers.</summary>
    public RespParseStatus TryParse(ref SequenceReader<byte> reader, bool authenticated)
    {
        while (_argc < 0)
        {
            if (reader.End)
            {
                return RespParseStatus.Incomplete;
            }

            _arena.Clear();
            if (reader.UnreadSpan[0] != (byte)'*')
            {
                var inline = ReadInline(ref reader);
                if (inline != RespParseStatus.Command || _arena.Count > 0)
                {
                    return inline; // an inline command is whole at once
                }

                continue; // Redis ignores blank lines
            }

            var status = ReadArrayHeader(ref reader, authenticated);
            if (status != RespParseStatus.Command)
            {
                return status;
            }

            if (_argc == 0)
            {
                _argc = -1; // Redis ignores "*0" and "*-1"
            }
        }

        while (_arena.Count < _argc || _bulkLeft >= 0)
        {
            if (_bulkLeft < 0)
            {
                var status = ReadBulkHeader(ref reader, authenticated);
                if (status != RespParseStatus.Command)
                {
                    return status;
                }
            }

            if (!ReadBulkBody(ref reader, out var failed))
            {
                return failed ? RespParseStatus.Error : RespParseStatus.Incomplete;
            }
        }

        _argc = -1;
        return RespParseStatus.Command;
    }

    private RespParseStatus ReadArrayHeader(ref SequenceReader<byte> reader, bool authenticated)
    {
        if (!TryReadLengthLine(ref reader, out var length, out var tooLong))
        {
            return tooLong ? Fail(RespProtocolError.TooBigMultibulkCount) : RespParseStatus.Incomplete;
        }

        if (length is null || length > maxArguments)
        {
            return Fail(RespProtocolError.InvalidMultibulkLength);
        }

        if (length > UnauthenticatedMaxArguments && !authenticated)
        {
            return Fail(RespProtocolError.UnauthenticatedMultibulkLength);
        }

        _argc = (int)Math.Max(0, length.Value);
        _bulkLeft = -1;
        return RespParseStatus.Command;
    }

    private RespParseStatus ReadBulkHeader(ref SequenceReader<byte> reader, bool authenticated)
    {
        if (reader.End)
        {
            return RespParseStatus.Incomplete;
        }

        var first = reader.UnreadSpan[0];
        if (first != (byte)'$')
        {
            return Fail(RespProtocolError.ExpectedDollar(first));
        }

        if (!TryReadLengthLine(ref reader, out var length, out var tooLong))
        {
            return tooLong ? Fail(RespProtocolError.TooBigBulkCount) : RespParseStatus.Incomplete;
        }

        if (length is not { } bytes || bytes < 0 || bytes > maxBulkBytes)
        {
            return Fail(RespProtocolError.InvalidBulkLength);
        }

        if (bytes > UnauthenticatedMaxBulkBytes && !authenticated)
        {
            return Fail(RespProtocolError.UnauthenticatedBulkLength);
        }

        _arena.StartArg();
        _bulkLeft = bytes + 2;
        return RespParseStatus.Command;
    }

    /// <summary>Copies what has arrived of the current bulk string; true once it and its CRLF are read.</summary>
    private bool ReadBulkBody(ref SequenceReader<byte> reader, out bool failed)
    {
        failed = false;
        while (_bulkLeft > 2 && !reader.End)
        {
            var span = reader.UnreadSpan;
            var take = (int)Math.Min(span.Length, _bulkLeft - 2);
            _arena.Append(span[..take]);
            reader.Advance(take);
            _bulkLeft -= take;
        }

        if (_bulkLeft > 2 || reader.Remaining < 2)
        {
            return false;
        }

        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            failed = true;
            Fail(RespProtocolError.BulkNotTerminated);
            return false;
        }

        _bulkLeft = -1;
        return true;
    }

    /// <summary>
    /// Reads "&lt;type byte&gt;&lt;integer&gt;\r\n". False with <paramref name="tooLong"/> when no line end came within
    /// <see cref="InlineMaxBytes"/>, false alone when more bytes are needed; <paramref name="length"/> is null when the
    /// number is malformed.
    /// </summary>
    private static bool TryReadLengthLine(ref SequenceReader<byte> reader, out long? length, out bool tooLong)
    {
        length = null;
        tooLong = false;
        var start = reader;
        if (!TryReadLine(ref reader, out var line, out tooLong))
        {
            reader = start;
            return false;
        }

        Span<byte> digits = stackalloc byte[24];
        if (line.Length >= 2 && line.Length - 1 <= digits.Length && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            var number = line.Slice(1, line.Length - 2);
            number.CopyTo(digits);
            if (RespText.TryParseInt64(digits[..(int)number.Length], out var value))
            {
                length = value;
            }
        }

        return true;
    }

    /// <summary>A line up to and excluding '\n' (a '\r' before it stays in <paramref name="line"/>).</summary>
    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line, out bool tooLong)
    {
        tooLong = false;
        var window = reader.UnreadSequence;
        if (window.Length > InlineMaxBytes)
        {
            window = window.Slice(0, InlineMaxBytes);
        }

        var end = window.PositionOf((byte)'\n');
        if (end is not { } position)
        {
            line = default;
            tooLong = window.Length >= InlineMaxBytes;
            return false;
        }

        line = window.Slice(0, position);
        reader.Advance(line.Length + 1);
        return true;
    }

    private RespParseStatus Fail(string error)
    {
        Error = error;
        _argc = -1;
        _bulkLeft = -1;
        return RespParseStatus.Error;
    }
}
