namespace Fornax.Node.Api;

/// <summary>
/// The largest body an API endpoint reads, set on the endpoint and enforced by <see cref="ApiRequestGuard"/> before the
/// handler runs: a larger Content-Length is refused unread, a chunked body is cut off at the limit (both 413).
/// Endpoints without it take <c>maxRequestBodyBytes</c>.
/// </summary>
internal sealed record BodyLimit(long Bytes, string Name)
{
    /// <summary>
    /// <c>POST /api/join</c>, open to every address: a token (~30 bytes), a name, a CSR (~0.5 KiB of PEM for P-256, ~3 KiB
    /// for RSA-4096) and, for an attaching subtree, its relative paths — room for about 5,000 of them.
    /// </summary>
    public static readonly BodyLimit Join = new(256 * 1024, "the join limit");

    /// <summary>The small JSON requests of the tree API (<c>/api/tokens</c>, <c>/api/attach</c>, <c>/api/uplink</c>, <c>/api/children</c>).</summary>
    public static readonly BodyLimit Small = new(64 * 1024, "the limit for tree requests");
}
