using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Fornax.IntegrationTests.Portal;

/// <summary>Real TCP servers on 127.0.0.1 port 0 for the tunnel tests.</summary>
internal sealed class TcpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TcpBackend(Func<Socket, CancellationToken, Task> serve)
    {
        _listener.Start(512);
        _accepting = AcceptAsync(serve);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Echoes every byte back; at the client's end of data it ends its own (a half-close, as a TCP echo server does).</summary>
    public static TcpBackend Echo() => new(async (socket, ct) =>
    {
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, ct);
        }

        socket.Shutdown(SocketShutdown.Send);
    });

    /// <summary>Reads until the client's end of data, then answers the SHA-256 of everything it read and the count, and closes.</summary>
    public static TcpBackend DigestAtEnd() => new(async (socket, ct) =>
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[32 * 1024];
        long total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"{total} {Convert.ToHexStringLower(hash.GetHashAndReset())}\n"), SocketFlags.None, ct);
        socket.Shutdown(SocketShutdown.Send);
    });

    /// <summary>
    /// Sends <paramref name="banner"/> and ends its sending side at once, then reads the client's data to its end and hands
    /// it to <paramref name="received"/>: the half-close the other way round (the backend's end first).
    /// </summary>
    public static TcpBackend SpeaksFirst(byte[] banner, TaskCompletionSource<byte[]> received) => new(async (socket, ct) =>
    {
        await socket.SendAsync(banner, SocketFlags.None, ct);
        socket.Shutdown(SocketShutdown.Send);
        using var all = new MemoryStream();
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        received.TrySetResult(all.ToArray());
    });

    /// <summary>
    /// Reads an HTTP request's head, sends <paramref name="answer"/> and closes: with a Content-Length larger than what
    /// follows it, an HTTP answer that breaks off.
    /// </summary>
    public static TcpBackend AnswersThenCloses(string answer) => new(async (socket, ct) =>
    {
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (!System.Text.Encoding.ASCII.GetString([.. head]).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (read == 0)
            {
                return;
            }

            head.AddRange(buffer.AsSpan(0, read));
        }

        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(answer), SocketFlags.None, ct);
    });

    private async Task AcceptAsync(Func<Socket, CancellationToken, Task> serve)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    try
                    {
                        await serve(socket, _stop.Token);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                    }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
