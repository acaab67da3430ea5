using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>GET /tcp/{namespace}/{name}</c> with <c>Upgrade: fornax-tunnel</c> on the ingress listener: what <c>fornax portal
/// forward</c> asks for each connection. The portal opens the tunnel to the nearest healthy site serving the service (the
/// backend here, or a peer portal over the link port, directly or through the common ancestor's portal when there is no
/// direct path) before it switches protocols, trying the next site when one refuses or cannot be reached; then it relays
/// the tunnel's frames (<see cref="TunnelRelay"/>). The caller's namespace comes from its
/// user token (<see cref="CallerNamespaces"/>) and is checked against the Service's <c>spec.allowedNamespaces</c> where the
/// backend is, as for <c>/svc/</c>; a refusal by the policy is the answer (403), not a reason to try another site.
/// </summary>
internal sealed partial class PortalTcpIngress(
    RoutePlanner planner, IServiceMap map, LocalBackends backends, PeerTunnels tunnels, CallerNamespaces callers, LocalSite site, PortalOptions options, ILogger<PortalTcpIngress> log)
{
    public const string Route = "/tcp/{namespace}/{name}";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        if (http.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true } upgrade
            || !string.Equals(http.Request.Headers.Upgrade, TunnelProtocol.UpgradeToken, StringComparison.OrdinalIgnoreCase))
        {
            await PortalHttp.ErrorAsync(http, 400, site.Path, $"{http.Request.Path} at site {site.Path} opens TCP tunnels to service {service}: ask with 'Connection: Upgrade' and 'Upgrade: {TunnelProtocol.UpgradeToken}' (fornax portal forward does)");
            return;
        }

        var (callerNamespace, tokenRefusal) = await callers.AuthenticateAsync(http.Request, http.RequestAborted);
        if (callerNamespace is null)
        {
            await PortalHttp.ErrorAsync(http, 401, site.Path, $"service {service}: site {site.Path} refuses the {CallerNamespaces.TokenHeader} header: {tokenRefusal}");
            return;
        }

        var plan = planner.Plan(service);
        if (await PortalHttp.RefusedUnroutableAsync(http, plan, service, site.Path))
        {
            return;
        }

        var failures = new List<string>();
        foreach (var candidate in plan.Candidates)
        {
            var (failure, forbiddenRoute) = candidate.Local
                ? await TryLocalAsync(http, upgrade, callerNamespace, service)
                : await TryPeerAsync(http, upgrade, callerNamespace, service, candidate);
            if (failure is null)
            {
                return;
            }

            if (forbiddenRoute is not null)
            {
                await PortalHttp.ErrorAsync(http, 403, forbiddenRoute, failure);
                return;
            }

            failures.Add(failure);
            LogTunnelFailover(service.ToString(), candidate.Site.SitePath, failure);
            if (http.RequestAborted.IsCancellationRequested)
            {
                return;
            }
        }

        await PortalHttp.ErrorAsync(http, 502, site.Path, $"service {service} has no working backend from site {site.Path}: {string.Join("; ", failures)}");
    }

    /// <summary>
    /// The backend is here: dial it, switch protocols, run this end of the tunnel. Null once served; otherwise why not,
    /// and the route of a refusal by the service's policy.
    /// </summary>
    private async Task<(string? Failure, string? ForbiddenRoute)> TryLocalAsync(HttpContext http, IHttpUpgradeFeature upgrade, string callerNamespace, ServiceKey service)
    {
        var local = await backends.FindTcpAsync(service, callerNamespace, http.RequestAborted);
        if (local.Backend is not { } address)
        {
            return (local.Refusal, local.Status == 403 ? site.Path : null);
        }

        var (socket, failure) = await TunnelBackend.ConnectAsync(address, service, site.Path, options, http.RequestAborted);
        if (socket is null)
        {
            return (failure, null);
        }

        using (socket)
        {
            http.Response.Headers[PortalHttp.RouteHeader] = site.Path;
            await using var client = await upgrade.UpgradeAsync();
            await new TunnelEnd(socket, client, client, options.TcpIdleTimeout, options.TimeProvider).RunAsync(http.RequestAborted);
            return (null, null);
        }
    }

    /// <summary>
    /// The backend is at a peer site: open an HTTP/2 stream to its portal, or, when there is no direct path (nothing
    /// advertised, or the network refuses it), to the portal of the lowest common ancestor, which relays the tunnel down
    /// to it (as <see cref="PortalIngress"/> does for requests). Then relay. As <see cref="TryLocalAsync"/>.
    /// </summary>
    private async Task<(string? Failure, string? ForbiddenRoute)> TryPeerAsync(HttpContext http, IHttpUpgradeFeature upgrade, string callerNamespace, ServiceKey service, RouteCandidate candidate)
    {
        var peer = candidate.Site;
        var (tunnel, refusal) = await tunnels.OpenAsync(peer, service, callerNamespace, relayTo: null, http.RequestAborted);
        var failure = refusal is null ? null : Describe(peer.SitePath, refusal);
        var nextHop = peer.SitePath;
        if (refusal is { Unreachable: true } && !http.RequestAborted.IsCancellationRequested && Relay(candidate) is { } relay)
        {
            nextHop = relay.SitePath;
            (tunnel, refusal) = await tunnels.OpenAsync(relay, service, callerNamespace, relayTo: peer.SitePath, http.RequestAborted);
            failure = refusal is null ? null : $"{failure}; through {Describe(relay.SitePath, refusal)}";
        }

        if (tunnel is null)
        {
            return refusal!.Status == 403 ? (refusal.Reason, $"{site.Path}, {refusal.Route}") : (failure, null);
        }

        await using (tunnel)
        {
            var route = $"{site.Path}, {tunnel.Route}";
            http.Response.Headers[PortalHttp.RouteHeader] = route;
            await using var client = await upgrade.UpgradeAsync();
            var relayHop = new TunnelRelay(new TunnelSide("the forwarder", client, client, static () => ValueTask.CompletedTask), tunnel.Side($"site {nextHop}"),
                site.Path, options.TcpIdleTimeout, options.TimeProvider);
            await relayHop.RunAsync(http.RequestAborted);
            if (relayHop.Failure is { } broke)
            {
                LogTunnelBroke(service.ToString(), route, broke);
            }

            return (null, null);
        }
    }

    private static string Describe(string sitePath, PeerTunnelRefusal refusal) =>
        refusal.Unreachable ? $"{sitePath}: {refusal.Reason}" : $"{sitePath}: answered {refusal.Status} ({refusal.Reason})";

    /// <summary>The common ancestor's portal when it is a third site (neither this one nor the serving one) that is healthy.</summary>
    private ServiceSite? Relay(RouteCandidate candidate) =>
        candidate.Via != site.Path && candidate.Via != candidate.Site.SitePath && map.Site(candidate.Via) is { Healthy: true } via ? via : null;

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Service {Service}: tunnel to {Site} failed ({Reason}); trying the next")]
    private partial void LogTunnelFailover(string service, string site, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Service {Service}: tunnel via {Route} broke: {Reason}")]
    private partial void LogTunnelBroke(string service, string route, string reason);
}
