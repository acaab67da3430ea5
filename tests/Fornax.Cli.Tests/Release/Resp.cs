using System.Net.Sockets;
using System.Text;
using Fornax.Node.Hosting;

namespace Fornax.Cli.Tests.Release;

/// <summary>One Redis command over a fresh connection to a site's RESP port, its reply as one line ("+OK", "$5 arm64").</summary>
internal static class Resp
{
    public static async Task<string> CommandAsync(SiteEndpointsInfo endpoints, params string[] arguments)
    {
        var url = new Uri(endpoints.Resp ?? throw new InvalidOperationException("the site advertises no RESP port"));
        using var client = new TcpClient();
        await client.ConnectAsync(url.Host, url.Port);
        var request = new StringBuilder($"*{arguments.Length}\r\n");
        foreach (var argument in arguments)
        {
            request.Append($"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var first = await reader.ReadLineAsync() ?? throw new InvalidOperationException("the RESP port closed without a reply");
        // A bulk string's length line is followed by its text; everything else is one line.
        return first.StartsWith('$') && first != "$-1" ? $"{first} {await reader.ReadLineAsync()}" : first;
    }
}
