using System.Net;
using System.Net.Sockets;

namespace Fornax.Node.Trees;

/// <summary>
/// The ports of a stopped <see cref="TreeSite"/>, held by sockets bound to them that do not listen, until it starts
/// again on them: a dial finds nothing there (refused, as when the machine is off), and the kernel hands a bound port
/// neither to a listener asking for port 0 nor to an outgoing connection as its ephemeral port. Free, they were taken
/// now and then by the test processes running beside (CI, 2026-12-06: "address already in use" as a site started
/// again). An explicit bind of the port can still share it (.NET binds with SO_REUSEADDR on Linux, and a socket that
/// does not listen allows that); the tests that bind fixed ports pick them below the kernel's ephemeral range
/// (tests/Fornax.Cli.Tests/FreePorts.cs), where no port of a port-0 listener, and so of a test site, comes from.
/// </summary>
internal sealed class HeldPorts : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public static HeldPorts Hold(params ReadOnlySpan<Uri> endpoints)
    {
        var held = new HeldPorts();
        foreach (var endpoint in endpoints)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.TryParse(endpoint.Host, out var address) ? address : IPAddress.Loopback, endpoint.Port));
                held._sockets.Add(socket);
            }
            catch (SocketException)
            {
                socket.Dispose(); // taken already: the start on it says so
            }
        }

        return held;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _sockets.Clear();
    }
}
