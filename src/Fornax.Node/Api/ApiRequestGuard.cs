using System.Net;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Api;

/// <summary>
/// What every request to the API port must be before anything reads it (docs/api.md, "Trust and limits"). A web page
/// in the operator's browser can reach a site on loopback, and loopback is trusted; so, in this order:
/// <list type="number">
/// <item>Host: a request served on loopback trust (from loopback, without a token, not an open path) must name the site
/// as <c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c> or another IP address — a DNS-rebound page names its own
/// domain. 403.</item>
/// <item>Origin: when a browser sends one, it must be the site's own (the dashboard at <c>/ui</c> is). 403.</item>
/// <item>Content-Type: every write but a bodiless DELETE carries JSON or YAML (blobs: octet-stream), which no form
/// and no simple cross-origin request can send. 415.</item>
/// <item>Body size: the endpoint's <see cref="BodyLimit"/> (else <c>maxRequestBodyBytes</c>) is set before the body
/// is read; a larger Content-Length is refused unread. 413.</item>
/// </list>
/// The ingress port serves functions to anyone, from any page, under any name, and the link port is mutual TLS: neither is guarded here.
/// </summary>
internal static class ApiRequestGuard
{
    private static readonly HashSet<string> LoopbackNames = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]" };

    public static Func<HttpContext, RequestDelegate, Task> For(IServiceProvider services)
    {
        var listeners = services.GetRequiredService<Listeners>();
        var options = services.GetRequiredService<NodeOptions>();
        return (http, next) => listeners.Classify(http.Connection.LocalPort) == Listeners.Api
            ? InvokeAsync(http, next, options)
            : next(http);
    }

    private static Task InvokeAsync(HttpContext http, RequestDelegate next, NodeOptions options)
    {
        var request = http.Request;
        if (TrustedByLoopback(http) && !IsSiteName(request.Host.Host, options))
        {
            return RefuseAsync(http, 403, "Forbidden",
                $"Host \"{request.Host}\" is not a name of this site: a request trusted for coming from loopback must address the site as localhost, 127.0.0.1, [::1] or an IP address (this refuses DNS rebinding); with another name, send a user token");
        }

        if (request.Headers.Origin.ToString() is { Length: > 0 } origin
            && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            return RefuseAsync(http, 403, "Forbidden",
                $"Origin \"{origin}\" is not this site's own ({request.Scheme}://{request.Host}): the API does not serve other web pages");
        }

        if (WrongContentType(request) is { } problem)
        {
            return RefuseAsync(http, 415, "UnsupportedMediaType", problem);
        }

        var limit = LimitFor(http, options);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit.Bytes;
        }

        if (request.ContentLength > limit.Bytes)
        {
            return RefuseAsync(http, 413, "RequestEntityTooLarge", TooLargeMessage(request.ContentLength.Value, limit));
        }

        return next(http);
    }

    /// <summary>The body limit of the endpoint a request is routed to.</summary>
    public static BodyLimit LimitFor(HttpContext http, NodeOptions options) =>
        http.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>() ?? new BodyLimit(options.MaxRequestBodyBytes, "maxRequestBodyBytes");

    public static string TooLargeMessage(long? length, BodyLimit limit) =>
        $"request body is too large{(length is { } n ? $" ({n} bytes)" : "")}: the limit here is {limit.Bytes} bytes ({limit.Name})";

    /// <summary>Served only because it comes from loopback: no credentials, and not a path open to everyone anyway.</summary>
    private static bool TrustedByLoopback(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && http.Request.Headers.Authorization.Count == 0
        && !ApiAuthentication.IsOpenPath(http.Request.Path);

    private static bool IsSiteName(string host, NodeOptions options) =>
        LoopbackNames.Contains(host)
        || string.Equals(host, options.Host, StringComparison.OrdinalIgnoreCase)
        // An address cannot be rebound: a page that names one is served from that address itself.
        || IPAddress.TryParse(host, out _);

    private static string? WrongContentType(HttpRequest request)
    {
        var method = request.Method;
        if (!(HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method)))
        {
            return null;
        }

        var hasBody = request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
        if (HttpMethods.IsDelete(method) && !hasBody)
        {
            return null;
        }

        var type = WriteContentTypes.MediaType(request.ContentType);
        var blob = request.Path.StartsWithSegments("/blobs", StringComparison.Ordinal);
        if (type is not null && (blob ? WriteContentTypes.Blobs : WriteContentTypes.Objects).Contains(type))
        {
            return null;
        }

        var wanted = blob ? "application/octet-stream (or application/wasm)" : "application/json or application/yaml";
        return $"{method} {request.Path} needs Content-Type {wanted}, not {(type is null ? "none" : $"\"{type}\"")}: the API takes no form or plain-text writes";
    }

    private static Task RefuseAsync(HttpContext http, int code, string reason, string message) =>
        ApiStatus.Failure(code, reason, message).ExecuteAsync(http);
}
