using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>/svc/{namespace}/{name}/{**rest}</c> on the ingress listener: the request goes to the nearest healthy backend (this
/// site first, then by distance along the tree), to a peer site straight to its portal over mutual TLS; when that
/// backend cannot be reached or answers 5xx, to the next. Every answer carries <c>Fornax-Route</c>.
/// </summary>
internal sealed partial class PortalIngress(
    RoutePlanner planner, LocalBackends backends, PortalClients clients, LocalSite site, NodeOptions node, PortalOptions options, ILogger<PortalIngress> log)
{
    public const string Route = "/svc/{namespace}/{name}/{**rest}";

    public async Task HandleAsync(HttpContext http)
    {
        var service = new ServiceKey((string)http.Request.RouteValues["namespace"]!, (string)http.Request.RouteValues["name"]!);
        var plan = planner.Plan(service);
        if (plan.Unknown)
        {
            await PortalHttp.ErrorAsync(http, 404, site.Path, $"service {service} is not known at site {site.Path}: no site of the tree announces it");
            return;
        }

        if (plan.Candidates.Count == 0)
        {
            await PortalHttp.ErrorAsync(http, 503, site.Path, $"service {service} has no healthy backend from site {site.Path} (offline: {string.Join(", ", plan.OfflineSites)})");
            return;
        }

        if (await PortalHttp.ReadBodyAsync(http, node.MaxRequestBodyBytes) is not { } body)
        {
            await PortalHttp.ErrorAsync(http, 413, site.Path, $"request body for service {service} is larger than the limit of {node.MaxRequestBodyBytes} bytes (maxRequestBodyBytes) at site {site.Path}");
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        deadline.CancelAfter(options.RequestTimeout);
        var failures = new List<string>();
        foreach (var candidate in plan.Candidates)
        {
            var (response, failure) = await TryAsync(http, service, candidate, body, deadline.Token);
            if (response is not null)
            {
                using (response)
                {
                    var route = candidate.Local ? site.Path : $"{site.Path}, {string.Join(", ", response.Headers.TryGetValues(PortalHttp.RouteHeader, out var passed) ? passed : [candidate.Site.SitePath])}";
                    await PortalHttp.CopyResponseAsync(http, response, route);
                    return;
                }
            }

            failures.Add($"{candidate.Site.SitePath}: {failure}");
            LogFailover(service.ToString(), candidate.Site.SitePath, failure!);
            if (deadline.IsCancellationRequested)
            {
                break;
            }
        }

        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var timedOut = deadline.IsCancellationRequested;
        await PortalHttp.ErrorAsync(http, timedOut ? 504 : 502, site.Path, timedOut
            ? $"service {service} did not answer site {site.Path} within {options.RequestTimeout.TotalSeconds:0.#} s ({string.Join("; ", failures)})"
            : $"service {service} has no working backend from site {site.Path}: {string.Join("; ", failures)}");
    }

    /// <summary>One backend: its response when it answered below 500, else why not (the caller tries the next one).</summary>
    private async Task<(HttpResponseMessage? Response, string? Failure)> TryAsync(HttpContext http, ServiceKey service, RouteCandidate candidate, byte[] body, CancellationToken ct)
    {
        HttpRequestMessage request;
        HttpClient client;
        if (candidate.Local)
        {
            if (await backends.FindAsync(service, ct) is not { } backend)
            {
                return (null, "no longer served here");
            }

            request = PortalHttp.Outgoing(http.Request, PortalPeerEndpoint.BackendUri(backend, http.Request), body, System.Net.HttpVersion.Version11);
            client = clients.Local;
        }
        else if (candidate.Direct)
        {
            var rest = http.Request.RouteValues["rest"] as string;
            var target = new Uri($"https://{candidate.Site.PortalAddress}/portal/svc/{Uri.EscapeDataString(service.Namespace)}/{Uri.EscapeDataString(service.Name)}/{rest}{http.Request.QueryString.Value}");
            request = PortalHttp.Outgoing(http.Request, target, body, System.Net.HttpVersion.Version20);
            request.Headers.TryAddWithoutValidation(PortalHttp.RouteHeader, site.Path);
            client = clients.Peer(candidate.Site.SitePath);
        }
        else
        {
            return (null, "its portal advertises no address");
        }

        using (request)
        {
            try
            {
                var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if ((int)response.StatusCode < 500)
                {
                    return (response, null);
                }

                using (response)
                {
                    return (null, $"answered {(int)response.StatusCode}{await ReasonAsync(response, ct)}");
                }
            }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
            {
                return (null, "timed out");
            }
            catch (HttpRequestException e)
            {
                return (null, e.Message);
            }
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

    [LoggerMessage(EventId = 403, Level = LogLevel.Information, Message = "Service {Service}: backend at {Site} failed ({Reason}); trying the next")]
    private partial void LogFailover(string service, string site, string reason);
}
