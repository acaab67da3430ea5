using System.Buffers;
using System.Text;

namespace Fornax.Functions.Wagi;

/// <summary>A parsed CGI response: status, headers, and where the body starts in the guest's stdout.</summary>
internal readonly record struct CgiResponse(int StatusCode, List<KeyValuePair<string, string>> Headers, long BodyOffset, string? Error);

/// <summary>
/// Parses a guest's stdout as a CGI response (RFC 3875 §6, as WAGI uses it): header lines up to a blank line, then the body.
/// Lenient where WAGI is strict, so a guest that just prints text still works:
/// <list type="bullet">
/// <item>If a line before the first blank line is not a <c>Name: value</c> header, the whole output is the body (200, text/plain).</item>
/// <item>Headers with no blank line after them are headers with an empty body.</item>
/// <item>No <c>Content-Type</c> and no <c>Location</c>: <c>text/plain; charset=utf-8</c> is added (WAGI answers 500).</item>
/// <item><c>Location</c> without <c>Status</c> is a 302 redirect.</item>
/// </list>
/// Lines end with LF or CRLF. An invalid <c>Status</c> value is the only error (502).
/// </summary>
internal static class CgiResponseParser
{
    internal const string DefaultContentType = "text/plain; charset=utf-8";

    public static CgiResponse Parse(ReadOnlySequence<byte> output)
    {
        var reader = new SequenceReader<byte>(output);
        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            bool complete = reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n');
            if (!complete)
            {
                // No more newlines: a trailing partial line is a header only if it parses as one.
                line = reader.UnreadSequence;
                reader.AdvanceToEnd();
            }
            if (line.Length > 0 && EndsWithCr(line)) line = line.Slice(0, line.Length - 1);
            if (line.Length == 0)
            {
                if (!complete && headers.Count == 0) return PlainText(0); // empty output
                return Finish(headers, reader.Consumed);
            }
            if (!TryParseHeader(line, out var header)) return PlainText(0);
            headers.Add(header);
            if (!complete) return Finish(headers, reader.Consumed);
        }
    }

    private static CgiResponse PlainText(long bodyOffset) =>
        new(200, [new("Content-Type", DefaultContentType)], bodyOffset, null);

    private static CgiResponse Finish(List<KeyValuePair<string, string>> headers, long bodyOffset)
    {
        int? status = null;
        bool hasContentType = false, hasLocation = false;
        for (int i = headers.Count - 1; i >= 0; i--)
        {
            var (name, value) = (headers[i].Key, headers[i].Value);
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                // "Status: 404 Not Found" — three digits, then an optional reason phrase.
                if (value.Length < 3 || !int.TryParse(value.AsSpan(0, 3), System.Globalization.NumberStyles.None, null, out int code)
                    || code < 100 || (value.Length > 3 && value[3] != ' '))
                    return new(502, headers, bodyOffset, $"invalid CGI Status header '{Truncate(value)}'");
                status = code;
                headers.RemoveAt(i);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) hasContentType = true;
            else if (name.Equals("Location", StringComparison.OrdinalIgnoreCase)) hasLocation = true;
        }
        if (!hasContentType && !hasLocation) headers.Add(new("Content-Type", DefaultContentType));
        return new(status ?? (hasLocation ? 302 : 200), headers, bodyOffset, null);
    }

    private static bool EndsWithCr(ReadOnlySequence<byte> line) =>
        line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r';

    private static bool TryParseHeader(ReadOnlySequence<byte> line, out KeyValuePair<string, string> header)
    {
        header = default;
        Span<byte> stack = stackalloc byte[256];
        ReadOnlySpan<byte> span = line.IsSingleSegment ? line.FirstSpan
            : line.Length <= stack.Length ? Copy(line, stack) : line.ToArray();
        int colon = span.IndexOf((byte)':');
        if (colon <= 0) return false;
        var name = span[..colon];
        foreach (byte b in name)
            if (!IsTokenChar(b)) return false;
        var value = span[(colon + 1)..].Trim(" \t"u8);
        header = new(Encoding.ASCII.GetString(name), Encoding.UTF8.GetString(value));
        return true;
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> line, Span<byte> into)
    {
        line.CopyTo(into);
        return into[..(int)line.Length];
    }

    // RFC 9110 §5.6.2 tchar.
    private static bool IsTokenChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
        || "!#$%&'*+-.^_`|~"u8.Contains(b);

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
