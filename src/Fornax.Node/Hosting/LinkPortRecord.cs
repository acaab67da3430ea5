using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fornax.Node.Hosting;

/// <summary>
/// The link port a site listens on, kept in <c>DATA/link-port</c> so that a site started with <c>--link-port 0</c> (the
/// default) listens on the same port at every later start. Its children dial the link port they learned when they
/// joined: a new free port at each start left them dialling a closed one for ever after the site's first restart.
/// </summary>
internal static class LinkPortRecord
{
    private const string FileName = "link-port";

    /// <summary>
    /// The port to listen on: the configured one; else the one recorded, when it is free now; else 0 (a free port).
    /// <paramref name="taken"/> is the recorded port found in use by something else (its children will not find this site).
    /// </summary>
    public static int Choose(NodeOptions options, IPAddress host, out int taken)
    {
        taken = 0;
        if (options.LinkPort != 0 || Recorded(options.DataDirectory) is not { } recorded)
        {
            return options.LinkPort;
        }

        if (IsFree(host, recorded))
        {
            return recorded;
        }

        taken = recorded;
        return 0;
    }

    /// <summary>Records the port the site listens on (best effort: without it the next start picks a free port again).</summary>
    public static void Remember(string dataDirectory, int port)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (Recorded(dataDirectory) == port)
        {
            return;
        }

        try
        {
            File.WriteAllText(path + ".tmp", port.ToString(CultureInfo.InvariantCulture));
            File.Move(path + ".tmp", path, overwrite: true);
        }
        catch (IOException)
        {
            // A full disk: the next start records it.
        }
    }

    private static int? Recorded(string dataDirectory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(dataDirectory, FileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // none yet, or unreadable: a free port, recorded anew
        }
    }

    private static bool IsFree(IPAddress host, int port)
    {
        using var probe = new Socket(host.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(host, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
