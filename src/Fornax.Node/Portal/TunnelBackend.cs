using System.Net.Sockets;
using Fornax.Portal;

namespace Fornax.Node.Portal;

/// <summary>Dials a <c>tcp</c> service's backend address at this site, within the portal's connect timeout.</summary>
internal static class TunnelBackend
{
    /// <summary>The connected socket, or why not (one line naming the service, the site and the address).</summary>
    public static async Task<(Socket? Socket, string? Failure)> ConnectAsync(string address, ServiceKey service, string sitePath, PortalOptions options, CancellationToken ct)
    {
        var colon = address.LastIndexOf(':');
        var host = address[..colon].Trim('[', ']');
        var port = int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(host, port, timeout.Token);
            return (socket, null);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            var why = e is SocketException s ? s.Message : $"no connection within {options.ConnectTimeout.TotalSeconds:0.#} s";
            return (null, $"service {service} at site {sitePath}: backend {address} cannot be reached: {why}");
        }
    }
}
