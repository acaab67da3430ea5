using System.Net.Sockets;

namespace Fornax.Testing;

/// <summary>Reading a raw TCP socket in tests that speak a protocol byte by byte (RESP, tunnels).</summary>
public static class SocketReads
{
    /// <summary>Everything the socket receives until the other side ends its data.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken ct)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>The text the socket receives until the other side ends its data, within <see cref="Poll.DefaultDeadline"/>.</summary>
    public static async Task<string> ReadTextToEndAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Poll.DefaultDeadline);
        return System.Text.Encoding.UTF8.GetString(await ReadToEndAsync(socket, deadline.Token));
    }

    /// <summary>The text of the next <paramref name="length"/> bytes the socket receives, or of fewer when the other side
    /// ends its data first, within <see cref="Poll.DefaultDeadline"/>.</summary>
    public static async Task<string> ReadTextAsync(Socket socket, int length)
    {
        using var deadline = new CancellationTokenSource(Poll.DefaultDeadline);
        var buffer = new byte[length];
        var received = 0;
        while (received < length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, deadline.Token);
            if (read == 0)
            {
                break;
            }

            received += read;
        }

        return System.Text.Encoding.UTF8.GetString(buffer, 0, received);
    }
}
