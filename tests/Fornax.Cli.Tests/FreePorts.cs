using System.Net;
using System.Net.Sockets;

namespace Fornax.Cli.Tests;

/// <summary>A range of ports free now, for site processes given fixed ports (<c>fornax up --base-port</c>).</summary>
internal static class FreePorts
{
    /// <summary>
    /// A base port with <paramref name="count"/> free ports after it, away from the defaults other tests use, and below
    /// the kernel's ephemeral range: a port there that is free now can be taken before the site binds it, by any
    /// connection or port-0 listener of the tests running beside (CI saw a site of `fornax up` refused its port so).
    /// </summary>
    public static int Range(int count)
    {
        var ephemeralStart = EphemeralRangeStart();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var basePort = Random.Shared.Next(20000, ephemeralStart - count);
            var sockets = new List<Socket>();
            try
            {
                for (var port = basePort; port < basePort + count; port++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }

                return basePort;
            }
            catch (SocketException)
            {
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("no free range of ports");
    }

    /// <summary>The first port the kernel hands out for connections and port-0 listeners (Linux: 32768 unless tuned).</summary>
    private static int EphemeralRangeStart()
    {
        const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(RangeFile) && int.TryParse(File.ReadAllText(RangeFile).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > 21000
            ? start
            : 32768;
    }
}
