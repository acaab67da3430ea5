using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>/svc/{namespace}/{name}/{**rest}</c> on the ingress listener: the request goes to the nearest healthy backend (this
/// site first, then by distance along the tree), to a peer site straight to its portal over mutual TLS; when that
/// backend cannot be reached or answers 5xx, to the next; a site with no direct path through the common ancestor's portal. Every answer carries <c>Fornax-Route</c>.
/// </summary>
internal sealed partial class PortalIngress(
    RoutePlanner planner, IServiceMap map, LocalBackends backends, PortalClients clients, PeerPortals peers, MovingServices moving, CallerNamespaces callers, LocalSite site, NodeOptions node, PortalOptions options, ILogger<PortalIngress> log)
{
    public const string Route = "/svc/{namespace}/{name}/{**rest}";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        var (callerNamespace, tokenRefusal) = await callers.AuthenticateAsync(http.Request, http.RequestAborted);
        if (callerNamespace is null)
        {
            await PortalHttp.ErrorAsync(http, 401, site.Path, $"service {service}: site {site.Path} refuses the {CallerNamespaces.TokenHeader} header: {tokenRefusal}");
            return;
        }

        var seen = map.Version;
        var plan = planner.Plan(service);
        // A service served a moment ago that no site announces now is moving: the old site withdrew it as soon as it
        // stopped serving, the new one announces it as soon as it serves. Wait through every map change until then.
        while (plan.Candidates.Count == 0 && plan.OfflineSites.Count == 0 && await moving.WaitForRouteAsync(service, seen, http.RequestAborted))
        {
            seen = map.Version;
            plan = planner.Plan(service);
        }

        if (await PortalHttp.RefusedUnroutableAsync(http, plan, service, site.Path))
        {
            return;
        }

        if (await PortalHttp.ReadBodyAsync(http, node.MaxRequestBodyBytes) is not { } body)
        {
            await PortalHttp.ErrorAsync(http, 413, site.Path, $"request body for service {service} is larger than the limit of {node.MaxRequestBodyBytes} bytes (maxRequestBodyBytes) at site {site.Path}");
            return;
        }

        // Every hop after this one gets what is left of this deadline, and answers 504 when it is spent.
        var budget = RequestDeadline.Start(http.Request, options.RequestTimeout, options.TimeProvider);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(budget.Budget);
        List<string>? failures = null;
        var spent = false;
        while (true)
        {
            moving.Served(service);
            var movedAway = 0;
            foreach (var candidate in plan.Candidates)
            {
                var (response, failure, notServed) = await TryAsync(http, callerNamespace, service, candidate, body, budget, deadline.Token);
                if (response is not null)
                {
                    using (response)
                    {
                        var route = candidate.Local ? site.Path : $"{site.Path}, {PortalHttp.RouteOf(response) ?? candidate.Site.SitePath}";
                        await PortalHttp.CopyResponseAsync(http, response, route, candidate.Local ? $"service {service} at site {site.Path}" : $"site {candidate.Site.SitePath}");
                        return;
                    }
                }

                (failures ??= []).Add($"{candidate.Site.SitePath}: {failure}");
                movedAway += notServed ? 1 : 0;
                LogFailover(service.ToString(), candidate.Site.SitePath, failure!);
                // A peer that spent the deadline answered for all: no time is left for another site.
                spent |= failure == TimedOut;
                if (deadline.IsCancellationRequested || spent)
                {
                    break;
                }
            }

            // Every site tried said it no longer serves the service: its backend is moving, and the map hears of the
            // new site within a heartbeat. Wait for that rather than fail.
            if (movedAway < plan.Candidates.Count || deadline.IsCancellationRequested || spent || !await moving.WaitForRouteAsync(service, seen, deadline.Token))
            {
                break;
            }

            seen = map.Version;
            plan = planner.Plan(service);
        }

        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var timedOut = deadline.IsCancellationRequested || spent;
        await PortalHttp.ErrorAsync(http, timedOut ? 504 : 502, site.Path, timedOut
            ? $"service {service} did not answer site {site.Path} within {budget.Budget.TotalSeconds:0.#} s ({string.Join("; ", failures ?? [])})"
            : $"service {service} has no working backend from site {site.Path}: {string.Join("; ", failures ?? [])}");
    }

    /// <summary>The failure of a site that did not answer within the deadline (this portal's, or what was left of it there).</summary>
    private const string TimedOut = "timed out";

    /// <summary>One backend: its response when it answered below 500, else why not (the caller tries the next one).</summary>
    private async Task<(HttpResponseMessage? Response, string? Failure, bool NotServed)> TryAsync(HttpContext http, string callerNamespace, ServiceKey service, RouteCandidate candidate, byte[] body, RequestDeadline budget, CancellationToken ct)
    {
        PeerAttempt attempt;
        if (candidate.Local)
        {
            attempt = await TryHereAsync(http, callerNamespace, service, body, ct);
        }
        else
        {
            attempt = await peers.SendAsync(http.Request, callerNamespace, service, body, candidate.Site, relayTo: null, budget, ct);
            // No direct path (nothing advertised, or the network between the two sites refuses it): the lowest common
            // ancestor is linked to both subtrees, so its portal passes the request down to the serving site.
            if (attempt.Unreachable && !ct.IsCancellationRequested && Relay(candidate) is { } relay)
            {
                var relayed = await peers.SendAsync(http.Request, callerNamespace, service, body, relay, candidate.Site.SitePath, budget, ct);
                attempt = relayed.Response is not null ? relayed : relayed with { Failure = $"{attempt.Failure}; through {relay.SitePath}: {relayed.Failure}" };
            }
        }

        if (attempt.Response is not { } response)
        {
            return (null, attempt.Failure, attempt.NotServed);
        }

        if (response.StatusCode == System.Net.HttpStatusCode.NotFound && response.Headers.Contains(PortalPeerEndpoint.NotServedHeader))
        {
            using (response)
            {
                return (null, "no longer served there", true);
            }
        }

        if ((int)response.StatusCode < 500)
        {
            return (response, null, false);
        }

        if (response.StatusCode == System.Net.HttpStatusCode.GatewayTimeout && response.Headers.Contains(RequestDeadline.SpentHeader))
        {
            using (response)
            {
                return (null, TimedOut, false);
            }
        }

        using (response)
        {
            return (null, $"answered {(int)response.StatusCode}{await ReasonAsync(response, ct)}", false);
        }
    }

    /// <summary>The common ancestor's portal when it is a third site (neither this one nor the serving one) that is healthy.</summary>
    private ServiceSite? Relay(RouteCandidate candidate) =>
        candidate.Via != site.Path && candidate.Via != candidate.Site.SitePath && map.Site(candidate.Via) is { Healthy: true } via ? via : null;

    private async Task<PeerAttempt> TryHereAsync(HttpContext http, string callerNamespace, ServiceKey service, byte[] body, CancellationToken ct)
    {
        var local = await backends.RouteAsync(service, callerNamespace, ct);
        if (local.Backend is not { } backend)
        {
            return local.NotServed
                ? new PeerAttempt(null, "no longer served here", Unreachable: false) { NotServed = true }
                : new PeerAttempt(new HttpResponseMessage((System.Net.HttpStatusCode)local.Status) { Content = new StringContent(local.Refusal + "\n") }, null, Unreachable: false);
        }

        using var request = PortalHttp.Outgoing(http.Request, PortalPeerEndpoint.BackendUri(backend, http.Request), body, System.Net.HttpVersion.Version11, callerNamespace);
        callers.VouchToOwnFunction(request, local);
        try
        {
            return new PeerAttempt(await clients.Local.SendAsync(request, ct), null, Unreachable: false);
        }
        catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
        {
            return new PeerAttempt(null, TimedOut, Unreachable: false);
        }
        catch (Exception e) when (PortalHttp.IsConnectionFailure(e))
        {
            return new PeerAttempt(null, $"backend {backend} failed: {e.Message}", Unreachable: false);
        }
    }

    /// <summary>The first line of a portal's own error text (what a peer says went wrong there); nothing for other bodies.</summary>
    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType?.MediaType != "text/plain" || response.Content.Headers.ContentLength is not (> 0 and <= 2048))
        {
            return "";
        }

        var text = await response.Content.ReadAsStringAsync(ct);
        return " (" + text.Split('\n')[0] + ")";
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Service {Service}: backend at {Site} failed ({Reason}); trying the next")]
    private partial void LogFailover(string service, string site, string reason);
}
