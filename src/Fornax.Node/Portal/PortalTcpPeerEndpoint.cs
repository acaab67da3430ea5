using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>POST /portal/tcp/{namespace}/{name}</c> on the link listener (mutual TLS, sites of this tree only): another site's
/// portal opens a TCP tunnel to a backend here. One HTTP/2 stream per tunnel, the request body carrying frames to the
/// backend and the response body frames from it. The backend is dialled before the answer, so a refusal is a plain
/// status and one line; never relayed further. The Service's <c>spec.allowedNamespaces</c> is checked against the
/// namespace the asking portal vouches for (<see cref="CallerNamespaces"/>), as for <c>/portal/svc/</c>.
/// </summary>
internal sealed class PortalTcpPeerEndpoint(LocalBackends backends, LocalSite site, PortalOptions options)
{
    public const string Route = "/portal/tcp/{namespace}/{name}";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        var local = await backends.FindTcpAsync(service, CallerNamespaces.VouchedFor(http.Request), http.RequestAborted);
        if (local.Backend is not { } address)
        {
            await PortalHttp.ErrorAsync(http, local.Status, site.Path, local.Refusal!);
            return;
        }

        var (socket, failure) = await TunnelBackend.ConnectAsync(address, service, site.Path, options, http.RequestAborted);
        if (socket is null)
        {
            await PortalHttp.ErrorAsync(http, 502, site.Path, failure!);
            return;
        }

        using (socket)
        {
            LiftStreamLimits(http);
            http.Response.Headers[PortalHttp.RouteHeader] = site.Path;
            http.Response.ContentType = "application/octet-stream";
            await http.Response.StartAsync(http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            var end = new TunnelEnd(socket, http.Request.Body, http.Response.Body, options.TcpIdleTimeout, options.TimeProvider);
            await end.RunAsync(http.RequestAborted);
        }
    }

    /// <summary>A tunnel lives as long as its connection: no body size limit, and idle is allowed (the tunnel's own idle timeout applies).</summary>
    internal static void LiftStreamLimits(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minRequest)
        {
            minRequest.MinDataRate = null;
        }

        if (http.Features.Get<IHttpMinResponseDataRateFeature>() is { } minResponse)
        {
            minResponse.MinDataRate = null;
        }
    }
}
