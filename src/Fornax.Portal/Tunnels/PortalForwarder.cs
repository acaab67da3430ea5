using System.Net;
using System.Net.Sockets;

namespace Fornax.Portal.Tunnels;

/// <summary>What <c>fornax portal forward</c> does: where it listens, which site's portal it tunnels through, to which service.</summary>
/// <param name="Ingress">The ingress URL of the site whose portal opens the tunnels.</param>
/// <param name="Service">A <c>tcp</c> service.</param>
/// <param name="Listen">Where local clients connect (port 0: any free port, see <see cref="PortalForwarder.LocalEndPoint"/>).</param>
public sealed record ForwardOptions(Uri Ingress, ServiceKey Service, IPEndPoint Listen)
{
    /// <summary>A connection with no byte in either direction for this long is closed (both ends).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>A user token of the ingress site, sent as <c>Fornax-Token</c>: it puts the tunnels in its namespace (none: <c>default</c>).</summary>
    public string? Token { get; init; }
}

/// <summary>
/// Listens on a local port and tunnels each connection to a backend of a <c>tcp</c> service through the portals. A
/// plain socket listener, not Kestrel: this runs in the CLI, which hosts no web server. Each connection's outcome is
/// reported through <see cref="Opened"/> or <see cref="Failed"/>.
/// </summary>
public sealed class PortalForwarder : IAsyncDisposable
{
    private readonly ForwardOptions _options;
    private readonly Socket _listener;
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _active;

    private PortalForwarder(ForwardOptions options, Socket listener)
    {
        _options = options;
        _listener = listener;
        // One connection per tunnel: an upgraded HTTP/1.1 connection is the tunnel's own from then on.
        _client = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = Timeout.InfiniteTimeSpan };
        _accepting = AcceptAsync();
    }

    /// <summary>A tunnel opened: the local client's address and the sites the tunnel passes.</summary>
    public event Action<EndPoint?, string>? Opened;

    /// <summary>A connection could not be tunnelled (or the tunnel broke): one line naming the service and the site.</summary>
    public event Action<EndPoint?, string>? Failed;

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connections being tunnelled now.</summary>
    public int Active => Volatile.Read(ref _active);

    public static PortalForwarder Start(ForwardOptions options)
    {
        var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(options.Listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new PortalForwarder(options, listener);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            accepted.NoDelay = true;
            _ = ServeAsync(accepted);
        }
    }

    private async Task ServeAsync(Socket local)
    {
        Interlocked.Increment(ref _active);
        var peer = local.RemoteEndPoint;
        try
        {
            await using var tunnel = await TunnelClient.OpenAsync(_client, _options.Ingress, _options.Service, _options.Token, _stop.Token);
            Opened?.Invoke(peer, tunnel.Route);
            var end = new TunnelEnd(local, tunnel.Stream, tunnel.Stream, _options.IdleTimeout, _options.TimeProvider) { LingersUntilClosed = true };
            await end.RunAsync(_stop.Token);
            if (end.TimedOut)
            {
                Failed?.Invoke(peer, $"service {_options.Service}: connection from {peer} closed after {_options.IdleTimeout.TotalSeconds:0.#} s idle");
            }
            else if (end.Broken is { } reason && !_stop.IsCancellationRequested)
            {
                Failed?.Invoke(peer, $"service {_options.Service}: the tunnel via {tunnel.Route} broke: {reason}");
            }
        }
        catch (TunnelRefusedException e)
        {
            Failed?.Invoke(peer, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
        {
            // A SocketException too: a connection reset right after its connect escapes SocketsHttpHandler unwrapped.
            Failed?.Invoke(peer, $"service {_options.Service}: the portal at {_options.Ingress} cannot be reached: {e.Message}");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            local.Dispose();
            Interlocked.Decrement(ref _active);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _client.Dispose();
        _stop.Dispose();
    }
}
