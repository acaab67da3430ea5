namespace Fornax.Node.Api;

/// <summary>
/// Which Content-Types a write (POST, PUT, PATCH, DELETE with a body) may carry on the API port. None of them can be
/// sent by an HTML form or a "simple" cross-origin fetch, so a web page cannot write through loopback trust.
/// </summary>
internal static class WriteContentTypes
{
    /// <summary>Blobs are bytes: a Wasm module is sent as <c>application/octet-stream</c> or <c>application/wasm</c>.</summary>
    public static readonly IReadOnlySet<string> Blobs = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "application/octet-stream", "application/wasm" };

    /// <summary>JSON and YAML, and the patch types kubectl sends.</summary>
    public static readonly IReadOnlySet<string> Objects = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "application/json", "application/yaml", "application/x-yaml", "text/yaml",
        "application/merge-patch+json", "application/json-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml",
    };

    /// <summary>The media type without parameters (<c>; charset=utf-8</c>), or null when there is none.</summary>
    public static string? MediaType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
    }
}
