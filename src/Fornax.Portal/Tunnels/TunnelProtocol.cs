namespace Fornax.Portal.Tunnels;

/// <summary>The names a TCP tunnel is asked for by, at a site's ingress and at a peer portal's link port.</summary>
public static class TunnelProtocol
{
    /// <summary>The HTTP/1.1 <c>Upgrade</c> token the forwarder asks a site's ingress for.</summary>
    public const string UpgradeToken = "fornax-tunnel";

    /// <summary>The header listing the sites a tunnel passes, the serving site last (as for HTTP requests).</summary>
    public const string RouteHeader = "Fornax-Route";

    /// <summary>At a site's ingress: the forwarder's request (an HTTP/1.1 upgrade).</summary>
    public static string IngressPath(ServiceKey service) => $"/tcp/{Uri.EscapeDataString(service.Namespace)}/{Uri.EscapeDataString(service.Name)}";

    /// <summary>At a peer portal's link port: one HTTP/2 stream per tunnel.</summary>
    public static string PeerPath(ServiceKey service) => "/portal" + IngressPath(service);
}

/// <summary>A site refused to open a tunnel: its status and its one-line reason, which names the service and the site.</summary>
public sealed class TunnelRefusedException(int status, string reason) : Exception(reason)
{
    public int Status => status;
}
