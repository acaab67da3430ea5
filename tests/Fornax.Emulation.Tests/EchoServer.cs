using System.Net;
using System.Net.Sockets;

namespace Fornax.Emulation.Tests;

/// <summary>A TCP echo server on 127.0.0.1:0: every byte comes back; end of stream is echoed as end of stream.</summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public EchoServer()
    {
        _listener.Start(512);
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _loop = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _loop;
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = EchoAsync(socket);
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        using var _ = socket;
        socket.NoDelay = true;
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the server stops.
        }
    }
}

internal static class Sockets
{
    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        return socket;
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None)..];
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes, or throws if the stream ends first.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken = default)
    {
        var data = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(data.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"stream ended after {filled} of {count} bytes");
            }

            filled += read;
        }

        return data;
    }

    /// <summary>True when a connection to <paramref name="endpoint"/> fails at once or is closed or reset right after.</summary>
    public static async Task<bool> IsRefusedAsync(IPEndPoint endpoint, TimeSpan within)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(endpoint);
        }
        catch (SocketException)
        {
            return true; // the reset arrived before the connect completed
        }

        using (socket)
        {
            return await IsClosedAsync(socket, within);
        }
    }

    /// <summary>True when the connection is closed or reset: a read returns end of stream or fails.</summary>
    public static async Task<bool> IsClosedAsync(Socket socket, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[1];
        try
        {
            while (true)
            {
                if (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
