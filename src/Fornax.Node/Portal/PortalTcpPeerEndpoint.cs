using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>POST /portal/tcp/{namespace}/{name}</c> on the link listener (mutual TLS, sites of this tree only): another site's
/// portal opens a TCP tunnel to a backend here. One HTTP/2 stream per tunnel, the request body carrying frames to the
/// backend and the response body frames from it. The backend is dialled before the answer, so a refusal is a plain
/// status and one line. The Service's <c>spec.allowedNamespaces</c> is checked against the namespace the asking portal
/// vouches for (<see cref="CallerNamespaces"/>), as for <c>/portal/svc/</c>. As the lowest common ancestor of two sites
/// with no direct path, this portal relays the tunnel to the site of its subtree named in
/// <see cref="PeerPortals.RelayHeader"/> instead; the relayed stream goes on without that header, so a tunnel crosses at
/// most two portal hops and cannot loop, as a relayed request.
/// </summary>
internal sealed partial class PortalTcpPeerEndpoint(LocalBackends backends, PeerTunnels tunnels, IServiceMap map, LocalSite site, PortalOptions options, ILogger<PortalTcpPeerEndpoint> log)
{
    public const string Route = "/portal/tcp/{namespace}/{name}";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        if (http.Request.Headers[PeerPortals.RelayHeader].ToString() is { Length: > 0 } relayTo)
        {
            await RelayAsync(http, service, relayTo);
            return;
        }

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

    private async Task RelayAsync(HttpContext http, ServiceKey service, string relayTo)
    {
        // Only down into this site's own subtree: a portal is no open relay for the rest of the tree.
        if (relayTo == site.Path || !TreePaths.IsAtOrUnder(relayTo, site.Path) || map.Site(relayTo) is not { Healthy: true } target)
        {
            await PortalHttp.ErrorAsync(http, 502, site.Path, $"service {service}: site {site.Path} cannot pass tunnels on to {relayTo} (not a healthy site below it)");
            return;
        }

        var (tunnel, refusal) = await tunnels.OpenAsync(target, service, CallerNamespaces.VouchedFor(http.Request), relayTo: null, http.RequestAborted);
        if (tunnel is null)
        {
            // The serving site's own refusal goes back as it is (a 403 stays a 403), with this site in its route.
            await PortalHttp.ErrorAsync(http, refusal!.Unreachable ? 502 : refusal.Status, refusal.Unreachable ? site.Path : $"{site.Path}, {refusal.Route}", refusal.Unreachable
                ? $"service {service}: site {site.Path} could not reach site {relayTo}: {refusal.Reason}"
                : refusal.Reason);
            return;
        }

        await using (tunnel)
        {
            LiftStreamLimits(http);
            var route = $"{site.Path}, {tunnel.Route}";
            http.Response.Headers[PortalHttp.RouteHeader] = route;
            http.Response.ContentType = "application/octet-stream";
            await http.Response.StartAsync(http.RequestAborted);
            await http.Response.Body.FlushAsync(http.RequestAborted);
            var asker = http.Request.Headers[PortalHttp.RouteHeader].ToString() is { Length: > 0 } from ? $"site {from}" : "the asking portal";
            var near = new TunnelSide(asker, http.Request.Body, http.Response.Body, () => new ValueTask(http.Response.CompleteAsync()));
            var relay = new TunnelRelay(near, tunnel.Side($"site {relayTo}"), site.Path, options.TcpIdleTimeout, options.TimeProvider);
            await relay.RunAsync(http.RequestAborted);
            if (relay.Failure is { } broke)
            {
                LogRelayBroke(service.ToString(), route, broke);
            }
        }
    }

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Service {Service}: tunnel relayed via {Route} broke: {Reason}")]
    private partial void LogRelayBroke(string service, string route, string reason);

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
