using System.Buffers;

namespace Fornax.Kv.Resp;

// Inline commands ("SET k v\r\n", as typed in telnet or nc): split like Redis' sdssplitargs, quotes and escapes included.
internal sealed partial class RespRequestParser
{
    private RespParseStatus ReadInline(ref SequenceReader<byte> reader)
    {
        var start = reader;
        if (!TryReadLine(ref reader, out var sequence, out var tooLong))
        {
            reader = start;
            return tooLong ? Fail(RespProtocolError.TooBigInline) : RespParseStatus.Incomplete;
        }

        // Inline commands are rare and at most 64 KiB: one rented copy keeps the splitter simple.
        var rented = ArrayPool<byte>.Shared.Rent((int)Math.Max(1, sequence.Length));
        try
        {
            var line = rented.AsSpan(0, (int)sequence.Length);
            sequence.CopyTo(line);
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            return SplitInline(line) ? RespParseStatus.Command : Fail(RespProtocolError.UnbalancedQuotes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private bool SplitInline(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }

            if (i == line.Length)
            {
                return true;
            }

            _arena.StartArg();
            var quote = line[i] is (byte)'"' or (byte)'\'' ? line[i++] : (byte)0;
            while (true)
            {
                if (i == line.Length)
                {
                    return quote == 0;
                }

                var b = line[i];
                if (quote == 0)
                {
                    if (IsSpace(b))
                    {
                        break;
                    }

                    _arena.Append([b]);
                    i++;
                    continue;
                }

                if (b == quote)
                {
                    // A closing quote must be followed by a space or the end (sdssplitargs).
                    i++;
                    if (i < line.Length && !IsSpace(line[i]))
                    {
                        return false;
                    }

                    break;
                }

                if (b == (byte)'\\' && i + 1 < line.Length)
                {
                    i += AppendEscape(line[(i + 1)..], quote);
                    continue;
                }

                _arena.Append([b]);
                i++;
            }
        }
    }

    /// <summary>Appends one escaped byte; returns how many input bytes the escape took, the backslash included.</summary>
    private int AppendEscape(ReadOnlySpan<byte> rest, byte quote)
    {
        var next = rest[0];
        if (quote == (byte)'\'')
        {
            _arena.Append(next == (byte)'\'' ? [next] : [(byte)'\\']);
            return next == (byte)'\'' ? 2 : 1;
        }

        if (next == (byte)'x' && rest.Length >= 3 && IsHex(rest[1]) && IsHex(rest[2]))
        {
            _arena.Append([(byte)((Hex(rest[1]) << 4) | Hex(rest[2]))]);
            return 4;
        }

        byte value = next switch
        {
            (byte)'n' => (byte)'\n',
            (byte)'r' => (byte)'\r',
            (byte)'t' => (byte)'\t',
            (byte)'b' => (byte)'\b',
            (byte)'a' => (byte)'\a',
            _ => next,
        };
        _arena.Append([value]);
        return 2;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f' or 0;

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int Hex(byte b) => b <= (byte)'9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
