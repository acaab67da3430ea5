using System.Collections.Concurrent;
using Fornax.Hierarchy.Identity;

namespace Fornax.Node.Portal;

/// <summary>
/// The HTTP senders a portal uses: one per peer site, over mutual TLS with this site's certificate, which accepts only
/// that site's certificate from the tree's CA (kept, so connections are pooled); and one plain one for the backends at
/// this site. They are bare <see cref="HttpMessageInvoker"/>s, not <see cref="HttpClient"/>s: a portal sets its own
/// deadline and never buffers a body, and HttpClient's wrapper costs every request a linked cancellation source, a
/// state machine and a timeout check for neither (as YARP's forwarder does).
/// </summary>
internal sealed class PortalClients(SiteIdentity identity, Fornax.Portal.PortalOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpMessageInvoker> _peers = new(StringComparer.Ordinal);
    private readonly HttpMessageInvoker _local = new(AsProxy(new SocketsHttpHandler { ConnectTimeout = options.ConnectTimeout }));

    public HttpMessageInvoker Local => _local;

    // The factory takes its state as an argument: a capturing lambda would be allocated on every request.
    public HttpMessageInvoker Peer(string sitePath) => _peers.GetOrAdd(sitePath, static (path, self) => self.Create(path), this);

    private HttpMessageInvoker Create(string path)
    {
        var handler = identity.CreateHttpHandler(path);
        handler.ConnectTimeout = options.ConnectTimeout;
        if (options.ConnectToPeer is { } connect)
        {
            handler.ConnectCallback = (context, ct) => connect(path, context.DnsEndPoint, ct);
        }

        return new HttpMessageInvoker(AsProxy(handler));
    }

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
