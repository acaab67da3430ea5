using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>/portal/svc/{namespace}/{name}/{**rest}</c> on the link listener, where only sites of this tree get in (mutual
/// TLS): another site's portal hands a request to a backend here. Served here or refused with 404; never relayed further,
/// so a request cannot loop.
/// </summary>
internal sealed class PortalPeerEndpoint(LocalBackends backends, PortalClients clients, LocalSite site, NodeOptions node, PortalOptions options)
{
    public const string Route = "/portal/svc/{namespace}/{name}/{**rest}";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        var route = site.Path;
        if (await backends.FindAsync(service, http.RequestAborted) is not { } backend)
        {
            await PortalHttp.ErrorAsync(http, 404, route, $"service {service} is not served at site {site.Path}");
            return;
        }

        if (await PortalHttp.ReadBodyAsync(http, node.MaxRequestBodyBytes) is not { } body)
        {
            await PortalHttp.ErrorAsync(http, 413, route, $"request body for service {service} is larger than the limit of {node.MaxRequestBodyBytes} bytes (maxRequestBodyBytes) at site {site.Path}");
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(options.RequestTimeout);
        using var request = PortalHttp.Outgoing(http.Request, BackendUri(backend, http.Request), body, System.Net.HttpVersion.Version11);
        HttpResponseMessage response;
        try
        {
            response = await clients.Local.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            await PortalHttp.ErrorAsync(http, 504, route, $"service {service} at site {site.Path} did not answer within {options.RequestTimeout.TotalSeconds:0.#} s");
            return;
        }
        catch (HttpRequestException e)
        {
            await PortalHttp.ErrorAsync(http, 502, route, $"service {service} at site {site.Path}: backend {backend} failed: {e.Message}");
            return;
        }

        using (response)
        {
            await PortalHttp.CopyResponseAsync(http, response, route);
        }
    }

    public static Uri BackendUri(string backend, HttpRequest request)
    {
        var rest = request.RouteValues["rest"] as string;
        return new Uri(backend + "/" + rest + request.QueryString.Value);
    }
}
