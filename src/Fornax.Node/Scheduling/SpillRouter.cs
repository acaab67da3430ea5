using System.Globalization;
using Fornax.Node.Functions;
using Fornax.Node.Portal;
using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Scheduling;

/// <summary>
/// Spill-out at the function ingress: decides where one invocation runs (<see cref="SpillPlanner"/>, from this site's
/// load and the figures the links brought) and forwards it over the portal routes (<c>/portal/svc/{ns}/{name}/</c> on
/// the target's link port, where every deployed function is a service of its own name), straight or through the common
/// ancestor. Every function response says where it ran (<see cref="SiteHeader"/>) and after how many forwards
/// (<see cref="HopsHeader"/>).
/// </summary>
internal sealed partial class SpillRouter(
    IServiceMap map, PortalOptions portal, SchedulingOptions options, LoadBoard board, ILoadTracker tracker, SpillPlanner planner, PeerPortals peers, LocalSite site, SpillMetrics metrics, ILogger<SpillRouter> log)
{
    private static readonly SpillDecision WithinCapacity = SpillDecision.Here("within capacity");
    private static readonly SpillDecision NowhereElse = SpillDecision.Here("no other site serves the function");
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ServiceKey, (long Version, IReadOnlyList<(string, SiteRelation, int, TimeSpan)> Sites)> _reachable = new();

    /// <summary>On every function response: the path of the site that ran the invocation.</summary>
    public const string SiteHeader = "Fornax-Site";

    /// <summary>On a forwarded request, the forwards so far; on the response, the forwards before the invocation ran.</summary>
    public const string HopsHeader = "Fornax-Hops";

    /// <summary>The forwards a request took before reaching this site: its <see cref="HopsHeader"/>, 0 when absent or not a number.</summary>
    public static int Hops(HttpRequest request) =>
        int.TryParse(request.Headers[HopsHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var hops) ? hops : 0;

    public SpillDecision Decide(DeployedFunction function, int hops)
    {
        // The common case, decided without the map: a free slot here and nothing that sends work away while there is one.
        if (function.Policy == SpillPolicy.Spill && tracker.InFlight < tracker.Capacity && options.EffectiveQueueThreshold > 0)
        {
            return WithinCapacity;
        }

        // Local work never waits for the map: a function with policy local (or a site alone) decides on its own figures.
        var candidates = function.Policy == SpillPolicy.Local ? [] : Candidates(function);
        if (candidates.Count == 0 && function.Policy == SpillPolicy.Spill)
        {
            return NowhereElse;
        }

        var request = new SpillRequest(function.Name, function.Policy, hops, tracker.InFlight, tracker.ServiceTime(function.Name));
        return planner.Decide(request, candidates);
    }

    /// <summary>
    /// Sends the invocation to <paramref name="target"/> and writes its answer; false when it could not get there or the
    /// function is no longer served there (the caller runs it here: the invocation never started elsewhere). The caller's
    /// namespace, as this site authenticated it, goes with it: the target checks its policy against that.
    /// </summary>
    public async Task<bool> ForwardAsync(HttpContext http, DeployedFunction function, string callerNamespace, string target, byte[] body, int hops, string reason)
    {
        if (map.Site(target) is not { Healthy: true } serving)
        {
            return false;
        }

        var received = http.Request.Headers[HopsHeader];
        http.Request.Headers[HopsHeader] = (hops + 1).ToString(CultureInfo.InvariantCulture);
        if (await TryForwardAsync(http, function, callerNamespace, serving, body, reason))
        {
            return true;
        }

        // Run here as it came: the guest sees the request the client sent.
        http.Request.Headers[HopsHeader] = received;
        return false;
    }

    private async Task<bool> TryForwardAsync(HttpContext http, DeployedFunction function, string callerNamespace, ServiceSite serving, byte[] body, string reason)
    {
        var target = serving.SitePath;
        using var outstanding = board.Forwarding(target);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var budget = Fornax.Node.Portal.RequestDeadline.Start(http.Request, portal.RequestTimeout, portal.TimeProvider);
        deadline.CancelAfter(budget.Budget);
        var service = new ServiceKey(function.Key.Namespace, function.Name);
        var attempt = await peers.SendAsync(http.Request, callerNamespace, service, body, serving, relayTo: null, budget, deadline.Token);
        var via = TreePaths.CommonAncestor(site.Path, target);
        if (attempt.Unreachable && !deadline.IsCancellationRequested && via != site.Path && via != target && map.Site(via) is { Healthy: true } relay)
        {
            attempt = await peers.SendAsync(http.Request, callerNamespace, service, body, relay, target, budget, deadline.Token);
        }

        if (attempt.Response is not { } response)
        {
            metrics.SpillFailed(function.Name, target);
            LogForwardFailed(function.Name, target, attempt.Failure ?? "no answer");
            return false;
        }

        using (response)
        {
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound && response.Headers.Contains(PortalPeerEndpoint.NotServedHeader))
            {
                metrics.SpillFailed(function.Name, target);
                LogForwardFailed(function.Name, target, "no longer served there");
                return false;
            }

            metrics.Spilled(function.Name, target);
            LogSpilled(function.Name, target, reason);
            var route = response.Headers.TryGetValues(PortalHttp.RouteHeader, out var passed) ? string.Join(", ", passed) : target;
            await PortalHttp.CopyResponseAsync(http, response, $"{site.Path}, {route}", $"site {target}");
            return true;
        }
    }

    /// <summary>The siblings and ancestors serving the function (and the parent, for a function it may load on demand), healthy, with their latency and fresh load.</summary>
    private List<SpillCandidate> Candidates(DeployedFunction function)
    {
        var sites = Reachable(new ServiceKey(function.Key.Namespace, function.Name));
        var candidates = new List<SpillCandidate>(sites.Count);
        foreach (var (path, relation, up, latency) in sites)
        {
            candidates.Add(new SpillCandidate(path, relation, up, latency, board.Fresh(path), board.Unreported(path)));
        }

        // On-demand deployment: the parent relays the mission that brought the function, so it can load it when asked.
        if (function.OnDemand && Parent(site.Path) is { } parent && !candidates.Exists(c => c.SitePath == parent)
            && map.Site(parent) is { Healthy: true } && TreeLatency.Between(map, site.Path, parent, portal.UnmeasuredHopCost) is { } toParent)
        {
            candidates.Add(new SpillCandidate(parent, SiteRelation.Ancestor, 1, toParent, board.Fresh(parent), board.Unreported(parent)));
        }

        return candidates;
    }

    /// <summary>
    /// Where the service map says the function is served (healthy siblings and ancestors, with the latency to each), kept
    /// until the map changes: under load every invocation asks, and the map changes only with announcements and health.
    /// </summary>
    private IReadOnlyList<(string Path, SiteRelation Relation, int Up, TimeSpan Latency)> Reachable(ServiceKey service)
    {
        var version = map.Version;
        if (_reachable.TryGetValue(service, out var cached) && cached.Version == version)
        {
            return cached.Sites;
        }

        var sites = new List<(string, SiteRelation, int, TimeSpan)>();
        var parent = Parent(site.Path);
        foreach (var serving in map.SitesServing(service))
        {
            if (!serving.Healthy || serving.SitePath == site.Path || TreeLatency.Between(map, site.Path, serving.SitePath, portal.UnmeasuredHopCost) is not { } latency)
            {
                continue;
            }

            if (parent is not null && Parent(serving.SitePath) == parent)
            {
                sites.Add((serving.SitePath, SiteRelation.Sibling, 0, latency));
            }
            else if (TreePaths.IsAtOrUnder(site.Path, serving.SitePath))
            {
                sites.Add((serving.SitePath, SiteRelation.Ancestor, Depth(site.Path) - Depth(serving.SitePath), latency));
            }
        }

        _reachable[service] = (version, sites);
        return sites;
    }

    private static string? Parent(string path) => path.LastIndexOf('/') is var slash and > 0 ? path[..slash] : null;

    private static int Depth(string path) => path.Count(c => c == '/');

    [LoggerMessage(EventId = 700, Level = LogLevel.Debug, Message = "Function {Function} spilled to {Site}: {Reason}")]
    private partial void LogSpilled(string function, string site, string reason);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "Function {Function} could not spill to {Site} ({Reason}); running it here")]
    private partial void LogForwardFailed(string function, string site, string reason);
}
