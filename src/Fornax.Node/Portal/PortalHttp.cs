using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using System.Net.Http.Headers;

namespace Fornax.Node.Portal;

/// <summary>Copying requests and responses across a portal hop: the body read once (bounded) so a failover can send it again.</summary>
internal static class PortalHttp
{
    /// <summary>The header listing the sites a request passed, the serving site last.</summary>
    public const string RouteHeader = "Fornax-Route";

    // Connection-level headers belong to one hop (RFC 9110 §7.6.1); Host is the next hop's.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host", RouteHeader, PeerPortals.RelayHeader,
        // Set by each portal from what it authenticated, never copied from whoever sent the request (CallerNamespaces).
        CallerNamespaces.Header, CallerNamespaces.TokenHeader, CallerNamespaces.PortalKeyHeader,
        // Set by each portal for the next hop from its own deadline; a spent deadline only as a portal's own answer.
        RequestDeadline.Header, RequestDeadline.SpentHeader,
    };

    /// <summary>The request body, at most <paramref name="limit"/> bytes; null when it is larger.</summary>
    public static async ValueTask<byte[]?> ReadBodyAsync(HttpContext http, long limit)
    {
        var request = http.Request;
        if (request.ContentLength > limit)
        {
            return null;
        }

        // Most requests through a portal are GETs without a body: no buffer for them.
        if (request.ContentLength == 0 || http.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return [];
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        // Sized by the declared length, but never more than a chunk ahead of what arrived: a claim costs the claimant.
        using var buffer = new MemoryStream((int)Math.Min(request.ContentLength ?? 0, 64 * 1024));
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>The request to pass on: method, headers but hop-by-hop ones, body; <paramref name="callerNamespace"/> in <see cref="CallerNamespaces.Header"/>.</summary>
    public static HttpRequestMessage Outgoing(HttpRequest request, Uri target, byte[] body, Version version, string callerNamespace)
    {
        // Parse hands out the shared instance of a known method (GET, POST, ...) instead of a new one per request.
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), target) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        if (body.Length > 0 || !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HopByHop.Contains(name) || name.StartsWith(':'))
            {
                continue;
            }

            // One value (nearly always) goes in as a string: no enumerator, no array.
            var added = values.Count == 1 ? message.Headers.TryAddWithoutValidation(name, values.ToString()) : message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            if (!added && message.Content is not null)
            {
                _ = values.Count == 1 ? message.Content.Headers.TryAddWithoutValidation(name, values.ToString()) : message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        message.Headers.TryAddWithoutValidation(CallerNamespaces.Header, callerNamespace);
        return message;
    }

    /// <summary>The <see cref="RouteHeader"/> a peer answered with, as received (no parsing), or null.</summary>
    public static string? RouteOf(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues(RouteHeader, out var route) ? route.ToString() : null;

    /// <summary>
    /// A failure of the connection to the next hop (refused, reset, TLS refused, an answer broken off), however the HTTP
    /// stack surfaces it. SocketsHttpHandler wraps most in <see cref="HttpRequestException"/>, but not all: a connection
    /// reset between its connect and its TLS handshake escapes as the <see cref="System.Net.Sockets.SocketException"/> of
    /// reading the socket's remote address (ENOTCONN; seen after a cut link, where it made the portal answer 500 instead
    /// of trying the next site), and a body broken off as an <see cref="IOException"/>.
    /// </summary>
    public static bool IsConnectionFailure(Exception e) => e is HttpRequestException or IOException or System.Net.Sockets.SocketException;

    /// <summary>
    /// Writes the upstream's response back, with <paramref name="route"/> as its route. When the upstream's body breaks
    /// off before any of it was written, the answer is a 502 naming <paramref name="from"/>; after, the caller's
    /// connection is aborted, so a cut answer never reads as a whole one.
    /// </summary>
    public static async Task CopyResponseAsync(HttpContext http, HttpResponseMessage upstream, string route, string from)
    {
        var response = http.Response;
        response.StatusCode = (int)upstream.StatusCode;
        // NonValidated: the values as received, not parsed into typed headers only to be written out again.
        CopyHeaders(upstream.Headers.NonValidated, response.Headers);
        CopyHeaders(upstream.Content.Headers.NonValidated, response.Headers);
        response.Headers[RouteHeader] = route;
        try
        {
            // The response's stream exists once its headers are read: the synchronous call returns it without a Task.
            await using var body = upstream.Content.ReadAsStream(http.RequestAborted);
            await ResponseBodyCopy.CopyAsync(body, response.BodyWriter, http.RequestAborted);
        }
        catch (UpstreamBodyBrokeOffException e) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Bytes written are in the response even before a flush starts it: a 502 cannot take their place.
            if (response.HasStarted || e.Copied > 0)
            {
                http.Abort();
                return;
            }

            response.Clear();
            await ErrorAsync(http, 502, route, $"the answer of {from} broke off after its status ({(int)upstream.StatusCode}): {e.Message}");
        }
    }

    private static void CopyHeaders(HttpHeadersNonValidated from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHop.Contains(name))
            {
                to[name] = values.Count == 1 ? new Microsoft.Extensions.Primitives.StringValues(values.ToString()) : new Microsoft.Extensions.Primitives.StringValues(values.ToArray());
            }
        }
    }

    /// <summary>
    /// Answers 404 when no site of the tree announces <paramref name="service"/>, 503 when none that does is healthy;
    /// false (nothing answered) when the plan has a candidate to try.
    /// </summary>
    public static async Task<bool> RefusedUnroutableAsync(HttpContext http, Fornax.Portal.RoutePlan plan, Fornax.Portal.ServiceKey service, string sitePath)
    {
        if (plan.Unknown)
        {
            await ErrorAsync(http, 404, sitePath, $"service {service} is not known at site {sitePath}: no site of the tree announces it");
            return true;
        }

        if (plan.Candidates.Count == 0)
        {
            await ErrorAsync(http, 503, sitePath, $"service {service} has no healthy backend from site {sitePath} (offline: {string.Join(", ", plan.OfflineSites)})");
            return true;
        }

        return false;
    }

    /// <summary>An error answered by the portal itself: a status and one line naming the service and the site.</summary>
    public static Task ErrorAsync(HttpContext http, int status, string route, string message)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers[RouteHeader] = route;
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }
}
