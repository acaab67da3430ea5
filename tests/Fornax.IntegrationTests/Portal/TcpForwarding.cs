using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fornax.Node.Trees;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>Helpers for the tunnel tests: a tcp Service at e2, a forwarder at e1, and reading a socket to its end.</summary>
internal static class TcpForwarding
{
    /// <summary>A <c>tcp</c> Service <paramref name="name"/> whose backend is 127.0.0.1:<paramref name="port"/> at e2 (with <paramref name="allowedNamespaces"/> as its policy, when given); waits until e1 knows it.</summary>
    public static async Task ServeTcpAtE2Async(TreeHost tree, string name, int port, string? allowedNamespaces = null)
    {
        var policy = allowedNamespaces is null ? "" : $"  allowedNamespaces: {allowedNamespaces}\n";
        await TreeHost.ApplyAsync(tree["e2"], "services", name,
            $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  protocol: tcp\n  backends:\n    - {{site: e2, address: \"127.0.0.1:{port}\"}}\n{policy}");
        await Poll.UntilAsync(() => PortalTree.Map(tree["e1"]).SitesServing(new("default", name)).Count == 1, $"e1 to know e2 serves {name}", TimeSpan.FromSeconds(20));
    }

    /// <summary>A forwarder on a free local port, tunnelling through e1's portal; what it reports is collected.</summary>
    public static (PortalForwarder Forwarder, ConcurrentQueue<string> Routes, ConcurrentQueue<string> Failures) Forward(TreeSite at, string service, Func<ForwardOptions, ForwardOptions>? configure = null)
    {
        var options = new ForwardOptions(new Uri(at.Node.Endpoints.Ingress), new ServiceKey("default", service), new IPEndPoint(IPAddress.Loopback, 0));
        var forwarder = PortalForwarder.Start(configure?.Invoke(options) ?? options);
        var routes = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<string>();
        forwarder.Opened += (_, route) => routes.Enqueue(route);
        forwarder.Failed += (_, failure) => failures.Enqueue(failure);
        return (forwarder, routes, failures);
    }

    public static async Task<Socket> ConnectAsync(PortalForwarder forwarder)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(forwarder.LocalEndPoint);
        return socket;
    }

    /// <summary>Sends all of <paramref name="data"/> in chunks, then ends this side's data (half-close).</summary>
    public static async Task SendAndShutdownAsync(Socket socket, byte[] data, CancellationToken ct)
    {
        for (var offset = 0; offset < data.Length; offset += 50_000)
        {
            await socket.SendAsync(data.AsMemory(offset, Math.Min(50_000, data.Length - offset)), SocketFlags.None, ct);
        }

        socket.Shutdown(SocketShutdown.Send);
    }
}
