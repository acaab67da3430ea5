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
/// backend here, or a peer portal over the link port) before it switches protocols, trying the next site when one
/// refuses or cannot be reached; then it carries the tunnel's frames untouched. The caller's namespace comes from its
/// user token (<see cref="CallerNamespaces"/>) and is checked against the Service's <c>spec.allowedNamespaces</c> where the
/// backend is, as for <c>/svc/</c>; a refusal by the policy is the answer (403), not a reason to try another site.
/// </summary>
internal sealed partial class PortalTcpIngress(
    RoutePlanner planner, LocalBackends backends, PortalClients clients, CallerNamespaces callers, LocalSite site, PortalOptions options, ILogger<PortalTcpIngress> log)
{
    public const string Route = "/tcp/{namespace}/{name}";

    /// <summary>Fresh streams tried when the peer refuses one (its stream limit, hit by a burst before its SETTINGS arrived).</summary>
    private const int MaxRefusedStreams = 5;

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
                : candidate.Direct
                    ? await TryPeerAsync(http, upgrade, callerNamespace, service, candidate.Site)
                    : ("its portal advertises no address", null);
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

    /// <summary>The backend is at a peer site: open an HTTP/2 stream to its portal, then relay. As <see cref="TryLocalAsync"/>.</summary>
    private async Task<(string? Failure, string? ForbiddenRoute)> TryPeerAsync(HttpContext http, IHttpUpgradeFeature upgrade, string callerNamespace, ServiceKey service, ServiceSite peer)
    {
        for (var attempt = 1; ; attempt++)
        {
            var content = new PeerTunnelContent();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"https://{peer.PortalAddress}{TunnelProtocol.PeerPath(service)}")
            {
                Version = System.Net.HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = content,
            };
            request.Headers.TryAddWithoutValidation(PortalHttp.RouteHeader, site.Path);
            request.Headers.TryAddWithoutValidation(CallerNamespaces.Header, callerNamespace);
            using var relayEnds = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            HttpResponseMessage response;
            try
            {
                response = await clients.Peer(peer.SitePath).SendAsync(request, relayEnds.Token);
            }
            catch (Exception e) when (Resent(e) && attempt < MaxRefusedStreams)
            {
                continue;
            }
            catch (HttpRequestException e)
            {
                return ($"{peer.SitePath}: {e.Message}", null);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    // End our side first: the peer answered without reading the tunnel's body, and its reason must not wait for it.
                    content.Complete();
                    relayEnds.CancelAfter(options.ConnectTimeout);
                    var reason = (await response.Content.ReadAsStringAsync(relayEnds.Token)).Split('\n')[0];
                    return response.StatusCode == System.Net.HttpStatusCode.Forbidden
                        ? (reason, $"{site.Path}, {peer.SitePath}")
                        : ($"{peer.SitePath}: answered {(int)response.StatusCode} ({reason})", null);
                }

                var passed = response.Headers.TryGetValues(PortalHttp.RouteHeader, out var route) ? string.Join(", ", route) : peer.SitePath;
                http.Response.Headers[PortalHttp.RouteHeader] = $"{site.Path}, {passed}";
                await using var client = await upgrade.UpgradeAsync();
                var toPeer = await content.Stream;
                await using var fromPeer = await response.Content.ReadAsStreamAsync(relayEnds.Token);
                await RelayAsync(client, toPeer, fromPeer, content, relayEnds);
                return (null, null);
            }
        }
    }

    private static bool Resent(Exception? e) => e is not null && (e is TunnelContentResentException || Resent(e.InnerException));

    /// <summary>Carries frames both ways until both sides ended; a failure on either side ends both.</summary>
    private static async Task RelayAsync(Stream client, Stream toPeer, Stream fromPeer, PeerTunnelContent content, CancellationTokenSource relayEnds)
    {
        async Task Outward()
        {
            await CopyFlushingAsync(client, toPeer, relayEnds.Token);
            content.Complete();
        }

        async Task Guarded(Func<Task> direction)
        {
            try
            {
                await direction();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or HttpRequestException or ObjectDisposedException)
            {
                await relayEnds.CancelAsync();
            }
        }

        await Task.WhenAll(Guarded(Outward), Guarded(() => CopyFlushingAsync(fromPeer, client, relayEnds.Token)));
    }

    /// <summary>Copies until the source ends, flushing after every read: a tunnel's few bytes (a keystroke, a ping) must not wait in a buffer for more.</summary>
    private static async Task CopyFlushingAsync(Stream from, Stream to, CancellationToken ct)
    {
        var buffer = new byte[TunnelFrames.HeaderLength + TunnelFrames.MaxPayload];
        int read;
        while ((read = await from.ReadAsync(buffer, ct)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
            await to.FlushAsync(ct);
        }
    }

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Service {Service}: tunnel to {Site} failed ({Reason}); trying the next")]
    private partial void LogTunnelFailover(string service, string site, string reason);
}
