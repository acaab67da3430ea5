using System.Globalization;

namespace Fornax.Functions.Wagi;

/// <summary>Builds the WAGI/CGI environment of one request (RFC 3875 §4.1 plus WAGI's <c>X_FULL_URL</c>).</summary>
internal static class CgiEnvironment
{
    /// <summary>
    /// Order of precedence: host-set CGI variables, then the function's own environment, then <c>HTTP_*</c> request headers —
    /// a client header can never override a variable the host or the function's author set.
    /// </summary>
    public static List<(string Name, string Value)> Build(
        InvocationRequest request, IReadOnlyDictionary<string, string>? functionEnv, string? site, string functionName)
    {
        var env = new List<(string, string)>(24);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name, string value)
        {
            if (seen.Add(name)) env.Add((name, value));
        }

        string? contentType = null;
        var headers = request.Headers ?? [];
        foreach (var (name, value) in headers)
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value;

        Add("GATEWAY_INTERFACE", "CGI/1.1");
        Add("SERVER_SOFTWARE", "Fornax");
        Add("REQUEST_METHOD", request.Method);
        Add("PATH_INFO", request.PathInfo);
        Add("X_RAW_PATH_INFO", request.PathInfo);
        Add("QUERY_STRING", request.QueryString);
        Add("SCRIPT_NAME", request.ScriptName);
        Add("X_MATCHED_ROUTE", request.ScriptName);
        Add("SERVER_PROTOCOL", request.Protocol);
        Add("CONTENT_TYPE", contentType ?? "");
        Add("CONTENT_LENGTH", request.Body.Length.ToString(CultureInfo.InvariantCulture));
        Add("X_FULL_URL", request.FullUrl);
        if (site is not null) Add("FORNAX_SITE", site);
        Add("FORNAX_FUNCTION", functionName);
        if (functionEnv is not null)
            foreach (var (name, value) in functionEnv) Add(name, value);
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            Add(HeaderVariable(name), value);
        }
        return env;
    }

    /// <summary><c>X-Request-Id</c> becomes <c>HTTP_X_REQUEST_ID</c>.</summary>
    internal static string HeaderVariable(string header) =>
        string.Create(5 + header.Length, header, static (span, h) =>
        {
            "HTTP_".CopyTo(span);
            for (int i = 0; i < h.Length; i++)
            {
                char c = h[i];
                span[5 + i] = c == '-' ? '_' : char.ToUpperInvariant(c);
            }
        });
}
