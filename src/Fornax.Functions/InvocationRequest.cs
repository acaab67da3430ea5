namespace Fornax.Functions;

/// <summary>One HTTP request for a function, already routed by the node.</summary>
/// <param name="Method">HTTP method, e.g. <c>GET</c>.</param>
/// <param name="PathInfo">Path below the function's route (<c>/fn/hello/a/b</c> gives <c>/a/b</c>); CGI <c>PATH_INFO</c>.</param>
/// <param name="QueryString">Query without the leading <c>?</c>; CGI <c>QUERY_STRING</c>.</param>
/// <param name="Headers">Request headers (name, value); repeated names are passed once each, joined by <c>", "</c> by the caller if wanted.</param>
/// <param name="Body">Request body: stdin for WAGI, the <c>alloc</c>ed buffer for raw.</param>
/// <param name="ScriptName">The function's route, e.g. <c>/fn/hello</c>; CGI <c>SCRIPT_NAME</c>.</param>
/// <param name="FullUrl">The absolute request URL; WAGI <c>X_FULL_URL</c>.</param>
/// <param name="Protocol">CGI <c>SERVER_PROTOCOL</c>, e.g. <c>HTTP/1.1</c>.</param>
public sealed record InvocationRequest(
    string Method = "GET",
    string PathInfo = "",
    string QueryString = "",
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    ReadOnlyMemory<byte> Body = default,
    string ScriptName = "",
    string FullUrl = "",
    string Protocol = "HTTP/1.1");
