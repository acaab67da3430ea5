using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Portal.Tunnels;

namespace Fornax.Node.Portal;

/// <summary>A tunnel's open HTTP/2 stream to a peer portal: the frames both ways, and the sites it passes from there.</summary>
internal sealed class PeerTunnel(HttpRequestMessage request, HttpResponseMessage response, PeerTunnelContent content, Stream toPeer, Stream fromPeer, CancellationTokenSource lifetime, string route)
    : IAsyncDisposable
{
    /// <summary>The peer's <c>Fornax-Route</c>: the peer first, the serving site last.</summary>
    public string Route => route;

    /// <summary>The peer as one side of a relay; ending what goes to it ends the request body.</summary>
    public TunnelSide Side(string name) => new(name, fromPeer, toPeer, () =>
    {
        content.Complete();
        return ValueTask.CompletedTask;
    });

    public async ValueTask DisposeAsync()
    {
        // Cancelled first: a stream still open at either end is reset rather than left to the peer's idle timeout.
        await lifetime.CancelAsync();
        await fromPeer.DisposeAsync();
        response.Dispose();
        request.Dispose();
        lifetime.Dispose();
    }
}

/// <summary>A peer portal that did not open a tunnel.</summary>
/// <param name="Reason">Why: one line naming the service and the site.</param>
/// <param name="Status">The peer's status (502 when there was no answer).</param>
/// <param name="Route">The peer's <c>Fornax-Route</c>: the peer first.</param>
/// <param name="Unreachable">No answer at all (refused, reset, TLS refused, no connection in time): another path to the same site may work.</param>
internal sealed record PeerTunnelRefusal(string Reason, int Status, string Route, bool Unreachable);

/// <summary>
/// Opens tunnels to other sites' portals (<c>POST /portal/tcp/…</c> on the link port, HTTP/2, mutual TLS), straight to the
/// serving site or to a common ancestor that relays it there (<see cref="PeerPortals.RelayHeader"/>), as
/// <see cref="PeerPortals"/> does for HTTP requests.
/// </summary>
internal sealed class PeerTunnels(PortalClients clients, LocalSite site, PortalOptions options)
{
    /// <summary>Fresh streams tried when the peer refuses one (its stream limit, hit by a burst before its SETTINGS arrived).</summary>
    private const int MaxRefusedStreams = 5;

    /// <summary>For a caller in <paramref name="callerNamespace"/>, as this site authenticated it or a peer vouched for it.</summary>
    public async Task<(PeerTunnel? Tunnel, PeerTunnelRefusal? Refusal)> OpenAsync(ServiceSite peer, ServiceKey service, string callerNamespace, string? relayTo, CancellationToken ct)
    {
        if (peer.PortalAddress.Length == 0)
        {
            return (null, new PeerTunnelRefusal($"the portal of {peer.SitePath} advertises no address", 502, peer.SitePath, Unreachable: true));
        }

        for (var attempt = 1; ; attempt++)
        {
            var content = new PeerTunnelContent();
            var request = new HttpRequestMessage(HttpMethod.Post, $"https://{peer.PortalAddress}{TunnelProtocol.PeerPath(service)}")
            {
                Version = System.Net.HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = content,
            };
            request.Headers.TryAddWithoutValidation(PortalHttp.RouteHeader, site.Path);
            request.Headers.TryAddWithoutValidation(CallerNamespaces.Header, callerNamespace);
            if (relayTo is not null)
            {
                request.Headers.TryAddWithoutValidation(PeerPortals.RelayHeader, relayTo);
            }

            var lifetime = CancellationTokenSource.CreateLinkedTokenSource(ct);
            HttpResponseMessage response;
            try
            {
                response = await clients.Peer(peer.SitePath).SendAsync(request, lifetime.Token);
            }
            catch (Exception e) when (PortalHttp.IsConnectionFailure(e) || e is OperationCanceledException)
            {
                request.Dispose();
                lifetime.Dispose();
                if (Resent(e) && attempt < MaxRefusedStreams)
                {
                    continue;
                }

                if (ct.IsCancellationRequested)
                {
                    throw;
                }

                var why = e is OperationCanceledException ? $"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s" : e.Message;
                return (null, new PeerTunnelRefusal(why, 502, peer.SitePath, Unreachable: true));
            }

            var route = PortalHttp.RouteOf(response) ?? peer.SitePath;
            if (!response.IsSuccessStatusCode)
            {
                // End our side first: the peer answered without reading the tunnel's body, and its reason must not wait for it.
                content.Complete();
                lifetime.CancelAfter(options.ConnectTimeout);
                try
                {
                    return (null, new PeerTunnelRefusal(await ReasonAsync(response, lifetime.Token), (int)response.StatusCode, route, Unreachable: false));
                }
                finally
                {
                    response.Dispose();
                    request.Dispose();
                    lifetime.Dispose();
                }
            }

            var toPeer = await content.Stream;
            var fromPeer = await response.Content.ReadAsStreamAsync(lifetime.Token);
            return (new PeerTunnel(request, response, content, toPeer, fromPeer, lifetime, route), null);
        }
    }

    private static bool Resent(Exception? e) => e is not null && (e is TunnelContentResentException || Resent(e.InnerException));

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return await TunnelProtocol.ReadReasonAsync(response, ct);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return $"answered {(int)response.StatusCode} and broke off its reason: {e.Message}";
        }
    }
}
