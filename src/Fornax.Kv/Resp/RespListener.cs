using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Fornax.Kv.Resp;

/// <summary>
/// A site's RESP port: its own accept loop on a listening socket, each connection served on the thread that completes
/// its receives (<see cref="RespServer.RunSocketAsync"/>). Not a Kestrel listener: Kestrel's transport hands every read
/// to a pool thread through a pipe, and its inline scheduling would apply to the HTTP listeners of the same server too.
/// </summary>
public sealed class RespListener : IAsyncDisposable
{
    /// <summary>Connections the kernel queues before they are accepted (Kestrel's and about Redis' <c>tcp-backlog</c>).</summary>
    private const int Backlog = 512;

    /// <summary>How long the accept loop waits after the system refused it a connection (no descriptors left) before it tries again.</summary>
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly RespServer _server;
    private readonly Socket _listen;
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _accepting;
    private volatile bool _stopping;
    private int _stopped;

    private RespListener(RespServer server, Socket listen)
    {
        _server = server;
        _listen = listen;
        LocalEndPoint = (IPEndPoint)listen.LocalEndPoint!;
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Where it listens (the real port when it was asked for port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Connections open now.</summary>
    public int Connections => _connections.Count;

    internal static RespListener Start(RespServer server, IPEndPoint endpoint)
    {
        var listen = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listen.DualMode = true;
            }

            if (!OperatingSystem.IsWindows())
            {
                // A restarted site binds its port again while the old connections linger in TIME_WAIT (on Windows the
                // option would let another process share the port instead).
                listen.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            listen.Bind(endpoint);
            listen.Listen(Backlog);
            return new RespListener(server, listen);
        }
        catch (SocketException e)
        {
            listen.Dispose();
            throw new IOException($"the RESP port cannot listen on {endpoint}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Stops accepting, then lets every connection finish what it has received: each is told its input ended (as when a
    /// client ends its send side), answers the commands it read and closes. Connections still open when
    /// <paramref name="ct"/> is cancelled are cut.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await _drained.Task;
            return;
        }

        _stopping = true;
        _server.BeginStopping();
        _listen.Dispose();
        await _accepting;
        foreach (var socket in _connections.Keys)
        {
            End(socket, s => s.Shutdown(SocketShutdown.Receive));
        }

        if (_connections.IsEmpty)
        {
            _drained.TrySetResult();
        }

        try
        {
            await _drained.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            foreach (var socket in _connections.Keys)
            {
                End(socket, s => s.Dispose());
            }

            await _drained.Task;
        }
    }

    /// <summary>Stops at once: connections are cut, not drained.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(new CancellationToken(canceled: true));

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listen.AcceptAsync();
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                continue; // the client gave up before it was accepted
            }
            catch (SocketException e)
            {
                // Out of file descriptors or buffers (EMFILE, ENFILE, ENOBUFS): the port must not stop for good because
                // clients held too many connections for a moment; the kernel keeps queueing until there is room again.
                RespLog.AcceptRetry(_server.Logger, LocalEndPoint.ToString(), e.SocketErrorCode, (int)AcceptRetryDelay.TotalMilliseconds);
                await Task.Delay(AcceptRetryDelay, _server.Options.TimeProvider);
                continue;
            }
            catch (Exception e)
            {
                RespLog.AcceptFailed(_server.Logger, e, LocalEndPoint.ToString());
                return;
            }

            socket.NoDelay = true;
            _connections[socket] = 0;
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            await _server.RunSocketAsync(socket);
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            if (_stopping && _connections.IsEmpty)
            {
                _drained.TrySetResult();
            }
        }
    }

    private static void End(Socket socket, Action<Socket> how)
    {
        try
        {
            how(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // It closed by itself meanwhile.
        }
    }
}
