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

    /// <summary>The most of a refusal's body read for its reason: a peer may answer with any body, a reason is one line.</summary>
    public const int MaxReasonBytes = 4096;

    /// <summary>The first line of a refused tunnel request's body (at most <see cref="MaxReasonBytes"/> read), trimmed.</summary>
    public static async Task<string> ReadReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxReasonBytes];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(filled), ct)) > 0)
        {
            filled += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, filled).Split('\n')[0].Trim();
    }
}

/// <summary>A site refused to open a tunnel: its status and its one-line reason, which names the service and the site.</summary>
public sealed class TunnelRefusedException(int status, string reason) : Exception(reason)
{
    public int Status => status;
}
