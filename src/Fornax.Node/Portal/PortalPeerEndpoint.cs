using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>/portal/svc/{namespace}/{name}/{**rest}</c> on the link listener, where only sites of this tree get in (mutual
/// TLS): another site's portal hands a request to a backend here, or, as the lowest common ancestor of two sites with no
/// direct path, asks this portal to pass it on to a site of its subtree (<see cref="PeerPortals.RelayHeader"/>). A relayed
/// request goes on without that header, so it is served there or refused: a request crosses at most two portal hops and
/// cannot loop.
/// </summary>
internal sealed class PortalPeerEndpoint(LocalBackends backends, OnDemandFunctions onDemand, PortalClients clients, PeerPortals peers, CallerNamespaces callers, IServiceMap map, LocalSite site, NodeOptions node, PortalOptions options)
{
    public const string Route = "/portal/svc/{namespace}/{name}/{**rest}";

    /// <summary>On a 404 of this portal: the service is not served here (as opposed to a backend's own 404).</summary>
    public const string NotServedHeader = "Fornax-Not-Served";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        var route = site.Path;
        if (await PortalHttp.ReadBodyAsync(http, node.MaxRequestBodyBytes) is not { } body)
        {
            await PortalHttp.ErrorAsync(http, 413, route, $"request body for service {service} is larger than the limit of {node.MaxRequestBodyBytes} bytes (maxRequestBodyBytes) at site {site.Path}");
            return;
        }

        if (http.Request.Headers[PeerPortals.RelayHeader].ToString() is { Length: > 0 } relayTo)
        {
            await RelayAsync(http, service, relayTo, body);
            return;
        }

        var local = await backends.RouteAsync(service, CallerNamespaces.VouchedFor(http.Request), http.RequestAborted);
        if (local.NotServed && Fornax.Node.Scheduling.SpillRouter.Hops(http.Request) > 0 && await onDemand.TryLoadAsync(service, http.RequestAborted))
        {
            // A spill to a parent that did not serve the function (spec.scheduling.onDemand): it does now.
            local = await backends.RouteAsync(service, CallerNamespaces.VouchedFor(http.Request), http.RequestAborted);
        }

        if (local.Backend is not { } backend)
        {
            if (local.NotServed)
            {
                // Marked, so the asking portal tries the next site (the backend moved away) instead of passing the 404 on.
                http.Response.Headers[NotServedHeader] = "1";
            }

            await PortalHttp.ErrorAsync(http, local.Status, route, local.Refusal!);
            return;
        }

        var budget = RequestDeadline.Start(http.Request, options.RequestTimeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(budget.Budget);
        using var request = PortalHttp.Outgoing(http.Request, BackendUri(backend, http.Request), body, System.Net.HttpVersion.Version11, CallerNamespaces.VouchedFor(http.Request));
        callers.VouchToOwnFunction(request, local);
        HttpResponseMessage response;
        try
        {
            response = await clients.Local.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            http.Response.Headers[RequestDeadline.SpentHeader] = "1";
            await PortalHttp.ErrorAsync(http, 504, route, $"service {service} at site {site.Path} did not answer within {budget.Budget.TotalSeconds:0.#} s");
            return;
        }
        catch (Exception e) when (PortalHttp.IsConnectionFailure(e))
        {
            await PortalHttp.ErrorAsync(http, 502, route, $"service {service} at site {site.Path}: backend {backend} failed: {e.Message}");
            return;
        }

        using (response)
        {
            // A function spilled on from here (docs/functions.md, "Spill-out") says the rest of its route, this site first.
            if (PortalHttp.RouteOf(response) is { } rest && rest.Length >= route.Length + 2 && rest.StartsWith(route, StringComparison.Ordinal) && rest.AsSpan(route.Length).StartsWith(", ", StringComparison.Ordinal))
            {
                route = rest;
            }

            await PortalHttp.CopyResponseAsync(http, response, route, $"service {service} at site {site.Path}");
        }
    }

    private async Task RelayAsync(HttpContext http, ServiceKey service, string relayTo, byte[] body)
    {
        // Only down into this site's own subtree: a portal is no open relay for the rest of the tree.
        if (relayTo == site.Path || !TreePaths.IsAtOrUnder(relayTo, site.Path) || map.Site(relayTo) is not { Healthy: true } target)
        {
            await PortalHttp.ErrorAsync(http, 502, site.Path, $"service {service}: site {site.Path} cannot pass requests on to {relayTo} (not a healthy site below it)");
            return;
        }

        var budget = RequestDeadline.Start(http.Request, options.RequestTimeout, options.TimeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        timeout.CancelAfter(budget.Budget);
        var attempt = await peers.SendAsync(http.Request, CallerNamespaces.VouchedFor(http.Request), service, body, target, relayTo: null, budget, timeout.Token);
        if (attempt.Response is not { } response)
        {
            var timedOut = timeout.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested;
            if (timedOut)
            {
                http.Response.Headers[RequestDeadline.SpentHeader] = "1";
            }

            await PortalHttp.ErrorAsync(http, timedOut ? 504 : 502, site.Path, $"service {service}: site {site.Path} could not reach site {relayTo}: {attempt.Failure}");
            return;
        }

        using (response)
        {
            var passed = PortalHttp.RouteOf(response) ?? relayTo;
            if (response.Headers.Contains(RequestDeadline.SpentHeader))
            {
                // Dropped with the other hop-by-hop headers: the serving site's spent deadline is the asking portal's too.
                http.Response.Headers[RequestDeadline.SpentHeader] = "1";
            }

            await PortalHttp.CopyResponseAsync(http, response, $"{site.Path}, {passed}", $"site {relayTo}");
        }
    }

    public static Uri BackendUri(string backend, HttpRequest request)
    {
        var rest = request.RouteValues["rest"] as string;
        return new Uri(backend + "/" + rest + request.QueryString.Value);
    }
}
