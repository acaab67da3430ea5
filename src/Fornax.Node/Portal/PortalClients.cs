using System.Collections.Concurrent;
using Fornax.Hierarchy.Identity;

namespace Fornax.Node.Portal;

/// <summary>
/// The HTTP clients a portal sends with: one per peer site, HTTP/2 over mutual TLS with this site's certificate, which
/// accepts only that site's certificate from the tree's CA (kept, so connections are pooled); and one plain client for
/// the backends at this site.
/// </summary>
internal sealed class PortalClients(SiteIdentity identity, Fornax.Portal.PortalOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> _peers = new(StringComparer.Ordinal);
    private readonly HttpClient _local = new(AsProxy(new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout })) { Timeout = Timeout.InfiniteTimeSpan };

    public HttpClient Local => _local;

    public HttpClient Peer(string sitePath) => _peers.GetOrAdd(sitePath, path =>
    {
        var handler = identity.CreateHttpHandler(path);
        handler.ConnectTimeout = options.ConnectTimeout;
        if (options.ConnectToPeer is { } connect)
        {
            handler.ConnectCallback = (context, ct) => connect(path, context.DnsEndPoint, ct);
        }

        return new HttpClient(AsProxy(handler)) { Timeout = Timeout.InfiniteTimeSpan };
    });

    /// <summary>
    /// A proxy passes answers on as they are: a backend's redirect and its cookies are for the caller, not followed or kept
    /// here (a kept cookie would go with the next caller's request), and trace headers travel as the caller sent them.
    /// </summary>
    private static SocketsHttpHandler AsProxy(SocketsHttpHandler handler)
    {
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        handler.ActivityHeadersPropagator = null;
        return handler;
    }

    public void Dispose()
    {
        _local.Dispose();
        foreach (var client in _peers.Values)
        {
            client.Dispose();
        }
    }
}
