using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Fornax.Functions.Wasi;

namespace Fornax.Functions.Wagi;

/// <summary>
/// The WAGI/CGI environment of one function's requests (RFC 3875 §4.1 plus WAGI's <c>X_FULL_URL</c>). What does not
/// change between requests (the gateway, the site, the function's name and its own <c>spec.env</c>) is encoded once, at
/// load; a request adds its own variables and headers and gets one <see cref="StringBlock"/>, built in two passes over
/// the request without intermediate strings or collections.
/// </summary>
/// <remarks>
/// Order of precedence: host-set CGI variables, then the function's own environment, then <c>HTTP_*</c> request headers —
/// a client header can never override a variable the host or the function's author set, nor an earlier header.
/// </remarks>
internal sealed class CgiEnvironment
{
    /// <summary>What the host sets from each request; a function's env of the same name is dropped.</summary>
    private static readonly string[] RequestVariables =
    [
        "REQUEST_METHOD", "PATH_INFO", "X_RAW_PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "X_MATCHED_ROUTE",
        "SERVER_PROTOCOL", "CONTENT_TYPE", "CONTENT_LENGTH", "X_FULL_URL",
    ];

    private readonly byte[] _fixed;
    private readonly int[] _fixedOffsets;
    private readonly FrozenSet<string> _fixedHeaderNames;

    public CgiEnvironment(IReadOnlyDictionary<string, string>? functionEnv, string? site, string functionName)
    {
        var taken = new HashSet<string>(RequestVariables, StringComparer.Ordinal);
        var variables = new List<(string, string)>();
        void Add(string name, string value)
        {
            if (taken.Add(name)) variables.Add((name, value));
        }

        Add("GATEWAY_INTERFACE", "CGI/1.1");
        Add("SERVER_SOFTWARE", "Fornax");
        if (site is not null) Add("FORNAX_SITE", site);
        Add("FORNAX_FUNCTION", functionName);
        if (functionEnv is not null)
            foreach (var (name, value) in functionEnv) Add(name, value);

        var block = StringBlock.OfVariables(variables);
        _fixed = block.Bytes.ToArray();
        _fixedOffsets = block.Offsets.ToArray();
        _fixedHeaderNames = variables.Select(v => v.Item1).Where(n => n.StartsWith("HTTP_", StringComparison.Ordinal)).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>Writes <paramref name="request"/>'s environment into <paramref name="into"/> (a reusable block) and returns it.</summary>
    public StringBlock Build(InvocationRequest request, StringBlock into)
    {
        var headers = request.Headers ?? [];
        string contentType = "";
        // Indexed, not foreach: enumerating the interface would box an enumerator per request.
        for (int i = 0; i < headers.Count; i++)
            if (headers[i].Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = headers[i].Value;
        string contentLength = request.Body.Length.ToString(CultureInfo.InvariantCulture);
        ReadOnlySpan<string> values =
        [
            request.Method, request.PathInfo, request.PathInfo, request.QueryString, request.ScriptName, request.ScriptName,
            request.Protocol, contentType, contentLength, request.FullUrl,
        ];

        // Pass 1: which headers become variables, and the exact size.
        Span<bool> included = headers.Count <= 64 ? stackalloc bool[headers.Count] : new bool[headers.Count];
        int size = _fixed.Length, count = _fixedOffsets.Length + RequestVariables.Length;
        for (int i = 0; i < RequestVariables.Length; i++)
            size += RequestVariables[i].Length + 1 + Encoding.UTF8.GetByteCount(values[i]) + 1;
        for (int i = 0; i < headers.Count; i++)
        {
            var (name, value) = headers[i];
            if (!Included(headers, i)) continue;
            included[i] = true;
            count++;
            size += 5 + name.Length + 1 + Encoding.UTF8.GetByteCount(value) + 1;
        }

        // Pass 2: write NAME=value\0 back to back, remembering where each starts.
        into.Rewrite(size, count);
        var bytes = into.WritableBytes;
        var offsets = into.WritableOffsets;
        int at = 0, n = 0;
        for (int i = 0; i < RequestVariables.Length; i++)
        {
            offsets[n++] = at;
            at += Encoding.ASCII.GetBytes(RequestVariables[i], bytes[at..]);
            bytes[at++] = (byte)'=';
            at += Encoding.UTF8.GetBytes(values[i], bytes[at..]);
            bytes[at++] = 0;
        }
        foreach (int offset in _fixedOffsets) offsets[n++] = at + offset;
        _fixed.CopyTo(bytes[at..]);
        at += _fixed.Length;
        for (int i = 0; i < headers.Count; i++)
        {
            if (!included[i]) continue;
            var (name, value) = headers[i];
            offsets[n++] = at;
            at += WriteHeaderVariable(name, bytes[at..]);
            bytes[at++] = (byte)'=';
            at += Encoding.UTF8.GetBytes(value, bytes[at..]);
            bytes[at++] = 0;
        }
        return into;
    }

    /// <summary>
    /// A header becomes <c>HTTP_*</c> unless its name is not ASCII, it is one of the two CGI already carries, names a variable the function set,
    /// or maps to the same variable as an earlier header (<c>X-A</c> and <c>X_A</c>).
    /// </summary>
    private bool Included(IReadOnlyList<KeyValuePair<string, string>> headers, int index)
    {
        string name = headers[index].Key;
        // Not a valid header name (RFC 9110 §5.1 tokens are ASCII); Kestrel never passes one, a caller might.
        if (name.Length == 0 || !Ascii.IsValid(name)) return false;
        if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            return false;
        if (_fixedHeaderNames.Count > 0 && _fixedHeaderNames.Contains(HeaderVariable(name)))
            return false;
        for (int j = 0; j < index; j++)
            if (SameVariable(headers[j].Key, name)) return false;
        return true;
    }

    private static bool SameVariable(string a, string b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (Map(a[i]) != Map(b[i])) return false;
        return true;
    }

    /// <summary><c>X-Request-Id</c> becomes <c>HTTP_X_REQUEST_ID</c>.</summary>
    internal static string HeaderVariable(string header) =>
        string.Create(5 + header.Length, header, static (span, h) =>
        {
            "HTTP_".CopyTo(span);
            for (int i = 0; i < h.Length; i++) span[5 + i] = Map(h[i]);
        });

    /// <summary>Writes the header's variable name as bytes (header names are ASCII tokens, RFC 9110 §5.1).</summary>
    private static int WriteHeaderVariable(string header, Span<byte> into)
    {
        "HTTP_"u8.CopyTo(into);
        for (int i = 0; i < header.Length; i++) into[5 + i] = (byte)Map(header[i]);
        return 5 + header.Length;
    }

    private static char Map(char c) => c == '-' ? '_' : char.ToUpperInvariant(c);
}
