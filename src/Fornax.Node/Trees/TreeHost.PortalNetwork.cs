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

    /// <summary>Undoes <see cref="RefuseDirect"/>.</summary>
    public void AllowDirect(string a, string b)
    {
        lock (_gate)
        {
            _refusedPortalPaths.Remove((a, b));
            _refusedPortalPaths.Remove((b, a));
        }
    }

    private async ValueTask<Stream> ConnectPortalAsync(string from, string targetPath, DnsEndPoint endpoint, CancellationToken ct)
    {
        var to = targetPath[(targetPath.LastIndexOf('/') + 1)..];
        lock (_gate)
        {
            if (_refusedPortalPaths.Contains((from, to)))
            {
                throw new SocketException((int)SocketError.ConnectionRefused);
            }
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
}
