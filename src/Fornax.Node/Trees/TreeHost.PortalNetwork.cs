using System.Net;
using System.Net.Sockets;

namespace Fornax.Node.Trees;

/// <summary>The network between the tree's portals: what a site's portal reaches when it dials another's directly.</summary>
public sealed partial class TreeHost
{
    /// <summary>
    /// The network refuses portal connections between two sites, both ways (a firewall between two subtrees): their
    /// portals must go through a common ancestor. The links of the tree are not affected, nor
    /// connections already open (pooled HTTP/2 connections last).
    /// </summary>
    public void RefuseDirect(string a, string b)
    {
        lock (_gate)
        {
            _refusedPortalPaths.Add((a, b));
            _refusedPortalPaths.Add((b, a));
        }
    }

    /// <summary>Undoes <see cref="RefuseDirect"/> and <see cref="ResetDirect"/> between the two sites.</summary>
    public void AllowDirect(string a, string b)
    {
        lock (_gate)
        {
            _refusedPortalPaths.Remove((a, b));
            _refusedPortalPaths.Remove((b, a));
            _resetPortalPaths.Remove((a, b));
            _resetPortalPaths.Remove((b, a));
        }
    }

    /// <summary>
    /// The network takes portal connections from <paramref name="from"/> to <paramref name="to"/> and resets each at once,
    /// after the connect and before anything is sent (a site whose process is going down, a middlebox): the dialling
    /// portal meets the reset wherever its HTTP stack next looks at the socket. Undone by <see cref="AllowDirect"/>.
    /// </summary>
    public void ResetDirect(string from, string to)
    {
        lock (_gate)
        {
            _resetPortalPaths.Add((from, to));
        }
    }

    private async ValueTask<Stream> ConnectPortalAsync(string from, string targetPath, DnsEndPoint endpoint, CancellationToken ct)
    {
        var to = targetPath[(targetPath.LastIndexOf('/') + 1)..];
        bool reset;
        lock (_gate)
        {
            if (_refusedPortalPaths.Contains((from, to)))
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }

            reset = _resetPortalPaths.Contains((from, to));
        }

        if (reset)
        {
            return await ConnectedThenResetAsync(ct);
        }

        if (EmulatedPathAsync(from, to, endpoint, ct) is { } emulated)
        {
            var path = await emulated;
            CutIfCrossingACut(from, to, path);
            endpoint = new DnsEndPoint(path.Endpoint.Address.ToString(), path.Endpoint.Port);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connection whose peer accepted it and reset it, the reset already received.</summary>
    private static async Task<Stream> ConnectedThenResetAsync(CancellationToken ct)
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // By name, as the portal dials: a socket connected to an IPEndPoint keeps it, and never asks the kernel again.
            await socket.ConnectAsync(new DnsEndPoint("127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port), ct);
            using (var accepted = await listener.AcceptAsync(ct))
            {
                accepted.LingerState = new LingerOption(true, 0); // closing sends a reset, not an end of data
            }

            // Waited for by polling, not by a read: a read would mark the socket disconnected, and the caller would meet
            // a socket that says so instead of one that still looks connected, as a real reset in flight does.
            if (!socket.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead))
            {
                throw new IOException("the network's reset did not arrive within 10 s");
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
