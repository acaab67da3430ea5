namespace Fornax.Kv.Resp;

/// <summary>
/// Redis' texts for malformed input (networking.c). After one of these Redis replies and closes the connection, and
/// so do we: the stream's framing is lost, so nothing after the error can be trusted.
/// </summary>
internal static class RespProtocolError
{
    public const string TooBigInline = "ERR Protocol error: too big inline request";
    public const string UnbalancedQuotes = "ERR Protocol error: unbalanced quotes in request";
    public const string TooBigMultibulkCount = "ERR Protocol error: too big mbulk count string";
    public const string InvalidMultibulkLength = "ERR Protocol error: invalid multibulk length";
    public const string UnauthenticatedMultibulkLength = "ERR Protocol error: unauthenticated multibulk length";
    public const string TooBigBulkCount = "ERR Protocol error: too big bulk count string";
    public const string InvalidBulkLength = "ERR Protocol error: invalid bulk length";
    public const string UnauthenticatedBulkLength = "ERR Protocol error: unauthenticated bulk length";

    /// <summary>Redis skips the two bytes after a bulk string unread; we check them, since anything else means lost framing.</summary>
    public const string BulkNotTerminated = "ERR Protocol error: bulk string not followed by CRLF";

    public static string ExpectedDollar(byte got) => $"ERR Protocol error: expected '$', got '{(got is >= 32 and < 127 ? (char)got : ' ')}'";
}
