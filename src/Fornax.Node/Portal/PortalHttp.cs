using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

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
    };

    /// <summary>The request body, at most <paramref name="limit"/> bytes; null when it is larger.</summary>
    public static async Task<byte[]?> ReadBodyAsync(HttpContext http, long limit)
    {
        var request = http.Request;
        if (request.ContentLength > limit)
        {
            return null;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
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

        return buffer.ToArray();
    }

    public static HttpRequestMessage Outgoing(HttpRequest request, Uri target, byte[] body, Version version)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), target) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
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

            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values) && message.Content is not null)
            {
                message.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return message;
    }

    /// <summary>Writes the upstream's response back, with <paramref name="route"/> as its route.</summary>
    public static async Task CopyResponseAsync(HttpContext http, HttpResponseMessage upstream, string route)
    {
        var response = http.Response;
        response.StatusCode = (int)upstream.StatusCode;
        foreach (var (name, values) in upstream.Headers.Concat(upstream.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                response.Headers[name] = values.ToArray();
            }
        }

        response.Headers[RouteHeader] = route;
        await using var body = await upstream.Content.ReadAsStreamAsync(http.RequestAborted);
        await body.CopyToAsync(response.Body, http.RequestAborted);
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
