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
/// refuses or cannot be reached; then it carries the tunnel's frames untouched.
/// </summary>
internal sealed partial class PortalTcpIngress(
    RoutePlanner planner, LocalBackends backends, PortalClients clients, LocalSite site, PortalOptions options, ILogger<PortalTcpIngress> log)
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
        var plan = planner.Plan(service);
        if (await PortalHttp.RefusedUnroutableAsync(http, plan, service, site.Path))
        {
            return;
        }

        var failures = new List<string>();
        foreach (var candidate in plan.Candidates)
        {
            var failure = candidate.Local
                ? await TryLocalAsync(http, upgrade, service)
                : candidate.Direct
                    ? await TryPeerAsync(http, upgrade, service, candidate.Site)
                    : "its portal advertises no address";
            if (failure is null)
            {
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

    /// <summary>The backend is here: dial it, switch protocols, run this end of the tunnel. Null once served.</summary>
    private async Task<string?> TryLocalAsync(HttpContext http, IHttpUpgradeFeature upgrade, ServiceKey service)
    {
        var (address, refusal) = await backends.FindTcpAsync(service, http.RequestAborted);
        if (address is null)
        {
            return refusal;
        }

        var (socket, failure) = await TunnelBackend.ConnectAsync(address, service, site.Path, options, http.RequestAborted);
        if (socket is null)
        {
            return failure;
        }

        using (socket)
        {
            http.Response.Headers[PortalHttp.RouteHeader] = site.Path;
            await using var client = await upgrade.UpgradeAsync();
            await new TunnelEnd(socket, client, client, options.TcpIdleTimeout, options.TimeProvider).RunAsync(http.RequestAborted);
            return null;
        }
    }

    /// <summary>The backend is at a peer site: open an HTTP/2 stream to its portal, then relay. Null once served.</summary>
    private async Task<string?> TryPeerAsync(HttpContext http, IHttpUpgradeFeature upgrade, ServiceKey service, ServiceSite peer)
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
            using var relayEnds = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            HttpResponseMessage response;
            try
            {
                response = await clients.Peer(peer.SitePath).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, relayEnds.Token);
            }
            catch (Exception e) when (Resent(e) && attempt < MaxRefusedStreams)
            {
                continue;
            }
            catch (HttpRequestException e)
            {
                return $"{peer.SitePath}: {e.Message}";
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    // End our side first: the peer answered without reading the tunnel's body, and its reason must not wait for it.
                    content.Complete();
                    relayEnds.CancelAfter(options.ConnectTimeout);
                    return $"{peer.SitePath}: answered {(int)response.StatusCode} ({(await response.Content.ReadAsStringAsync(relayEnds.Token)).Split('\n')[0]})";
                }

                var passed = response.Headers.TryGetValues(PortalHttp.RouteHeader, out var route) ? string.Join(", ", route) : peer.SitePath;
                http.Response.Headers[PortalHttp.RouteHeader] = $"{site.Path}, {passed}";
                await using var client = await upgrade.UpgradeAsync();
                var toPeer = await content.Stream;
                await using var fromPeer = await response.Content.ReadAsStreamAsync(relayEnds.Token);
                await RelayAsync(client, toPeer, fromPeer, content, relayEnds);
                return null;
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
