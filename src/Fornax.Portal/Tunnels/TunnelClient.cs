using System.Net;
using System.Net.Http.Headers;

namespace Fornax.Portal.Tunnels;

/// <summary>A tunnel the forwarder opened: the framed stream to its serving end, and the sites it passes.</summary>
public sealed record OpenTunnel(Stream Stream, string Route) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}

/// <summary>Asks a site's portal (its ingress port) for a tunnel to a <c>tcp</c> service: an HTTP/1.1 upgrade.</summary>
public static class TunnelClient
{
    /// <summary>The header carrying a user token of the ingress site, which puts the tunnel in the token's namespace.</summary>
    public const string TokenHeader = "Fornax-Token";

    /// <summary>
    /// Opens a tunnel through <paramref name="client"/> (which must allow HTTP/1.1 to the ingress) as the holder of
    /// <paramref name="token"/> (null: namespace <c>default</c>); throws <see cref="TunnelRefusedException"/> with the site's reason.
    /// </summary>
    public static async Task<OpenTunnel> OpenAsync(HttpClient client, Uri ingress, ServiceKey service, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ingress, TunnelProtocol.IngressPath(service)))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue(TunnelProtocol.UpgradeToken));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(TokenHeader, token);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            using (response)
            {
                throw new TunnelRefusedException((int)response.StatusCode, await ReasonAsync(response, service, ingress, ct));
            }
        }

        var route = response.Headers.TryGetValues(TunnelProtocol.RouteHeader, out var passed) ? string.Join(", ", passed) : "";
        return new OpenTunnel(await response.Content.ReadAsStreamAsync(ct), route);
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response, ServiceKey service, Uri ingress, CancellationToken ct)
    {
        var text = await TunnelProtocol.ReadReasonAsync(response, ct);
        return text.Length > 0 ? text : $"service {service}: {ingress} answered {(int)response.StatusCode} {response.ReasonPhrase} to a tunnel request";
    }
}
