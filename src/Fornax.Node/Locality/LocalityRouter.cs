using System.Globalization;
using Fornax.Core.Validation;
using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Kv;
using Fornax.Node.Scheduling;
using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Scheduling;
using Fornax.Scheduling.Locality;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Locality;

/// <summary>What <see cref="LocalityRouter.RouteAsync"/> did: forwarded the invocation, or left it here with these reads.</summary>
internal readonly record struct LocalityRoute(bool Forwarded, InvocationReads? Reads);

/// <summary>
/// Move the computation or move the data, at the function ingress, for an invocation this site runs (spill-out kept it
/// here): when the function binds a keyspace this site does not hold, <see cref="LocalityPlanner"/> weighs sending the
/// request to a site that holds it and serves the function against running here and reading over the link, from the
/// sizes seen (<see cref="SizeBook"/>) and the path's latency and bandwidth. Every stateful invocation that runs here
/// says what it read in <see cref="ReadsHeader"/>, so a site that forwarded it learns the sizes too.
/// </summary>
internal sealed partial class LocalityRouter(
    KeyspaceDirectory directory, KeyspaceHoldings holdings, IServiceMap map, PortalOptions portal, LoadBoard board, SizeBook sizes,
    LocalityOptions options, NodeOptions node, LocalSite site, SpillRouter spill, ILogger<LocalityRouter> log)
{
    /// <summary>On a stateful function's response: <c>reads=N; bytes=B; response=R</c>, what the invocation read and answered.</summary>
    public const string ReadsHeader = "Fornax-State-Reads";

    /// <summary>The bandwidth of the path to another site: this site's own uplink's when configured, else the default.</summary>
    private readonly double _bandwidth = Bandwidths.TryParse(node.Uplink?.Bandwidth, out var bits) && bits > 0 ? bits / 8.0 : options.DefaultBandwidth;

    /// <summary>
    /// Decides, and forwards (as the authenticated <paramref name="callerNamespace"/>, like a spill) when the computation moves (<see cref="LocalityRoute.Forwarded"/>: the answer is written).
    /// Otherwise the route carries the reads of the invocation about to run here: pass it to <see cref="Enter"/>.
    /// </summary>
    public async Task<LocalityRoute> RouteAsync(HttpContext http, DeployedFunction function, string callerNamespace, ReadOnlyMemory<byte> body, int hops)
    {
        if (function.Loaded.Definition.State is not { } binding)
        {
            return default;
        }

        var bound = Bound(binding.Namespace, binding.Keyspaces);
        var missing = bound.Where(k => !k.Held).ToList();
        if (missing.Count == 0)
        {
            return new LocalityRoute(false, new InvocationReads(bound));
        }

        // A forwarded request, or a function kept local by its policy, runs here: only the data may move.
        var mayMove = hops == 0 && function.Policy != SpillPolicy.Local;
        var holders = Holders(function, missing, mayMove);
        var decision = LocalityPlanner.Decide(new LocalityRequest(function.Name, body.Length, sizes.Get(function.Name), binding.ReadOnly), holders);
        LogDecided(function.Name, decision.Target ?? "here", decision.ReadFrom ?? "-", decision.Reason);
        if (decision.Target is { } target && await spill.ForwardAsync(http, function, callerNamespace, target, body.ToArray(), hops, "data locality: " + decision.Reason))
        {
            Learn(function.Name, http.Response.Headers[ReadsHeader].ToString());
            return new LocalityRoute(true, null);
        }

        // Here: read over the link from the chosen site, or (the forward failed) from the nearest that holds the data.
        var readFrom = decision.ReadFrom ?? (binding.ReadOnly ? holders.OrderBy(h => h.Latency).FirstOrDefault()?.SitePath : null);
        return new LocalityRoute(false, new InvocationReads([.. bound.Select(k => k.Held ? k : k with { ReadFrom = readFrom })]));
    }

    /// <summary>
    /// Makes the route's reads the current invocation's, for the host calls of the guest about to run on this flow. A
    /// synchronous method on purpose: an async one would restore the caller's <see cref="AsyncLocal{T}"/> on return.
    /// </summary>
    public static void Enter(LocalityRoute route) => InvocationReads.Current = route.Reads;

    /// <summary>After an invocation ran here: its sizes, learned and told to the caller.</summary>
    public void Ran(DeployedFunction function, HttpResponse response, int responseBytes)
    {
        if (InvocationReads.Current is not { } reads)
        {
            return;
        }

        InvocationReads.Current = null;
        sizes.Observe(function.Name, responseBytes, reads.Reads, reads.ReadBytes);
        response.Headers[ReadsHeader] = string.Create(CultureInfo.InvariantCulture, $"reads={reads.Reads}; bytes={reads.ReadBytes}; response={responseBytes}");
    }

    private List<BoundKeyspace> Bound(string ns, IReadOnlyList<string> names)
    {
        var bound = new List<BoundKeyspace>(names.Count);
        foreach (var name in names)
        {
            if (directory.Prefix(ns, name) is { } prefix)
            {
                bound.Add(new BoundKeyspace(ns, name, prefix, holdings.Holds(ns, name)));
            }
        }

        return bound;
    }

    /// <summary>The healthy sites holding every keyspace this site lacks, with the path's latency, bandwidth and their wait.</summary>
    private List<DataSite> Holders(DeployedFunction function, List<BoundKeyspace> missing, bool mayMove)
    {
        var paths = missing.Select(k => map.SitesServing(KeyspaceServices.For(k.Namespace, k.Name)).Where(s => s.Healthy && s.SitePath != site.Path).Select(s => s.SitePath))
            .Aggregate((a, b) => a.Intersect(b, StringComparer.Ordinal)).ToList();
        var serving = map.SitesServing(new ServiceKey(function.Key.Namespace, function.Name)).Where(s => s.Healthy).Select(s => s.SitePath).ToHashSet(StringComparer.Ordinal);
        var holders = new List<DataSite>(paths.Count);
        foreach (var path in paths)
        {
            if (TreeLatency.Between(map, site.Path, path, portal.UnmeasuredHopCost) is { } latency)
            {
                var wait = board.Fresh(path) is { } load ? LocalityPlanner.PredictedWait(load, function.Name) : TimeSpan.Zero;
                holders.Add(new DataSite(path, latency, _bandwidth, mayMove && serving.Contains(path), wait));
            }
        }

        return holders;
    }

    /// <summary>Takes the sizes a site that ran a forwarded invocation reported; a malformed header is ignored (figures only).</summary>
    private void Learn(string function, string header)
    {
        long reads = -1, bytes = -1, response = -1;
        foreach (var part in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = part.IndexOf('=') is var eq and > 0 ? (part[..eq], part[(eq + 1)..]) : (part, "");
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                _ = name switch
                {
                    "reads" => reads = number,
                    "bytes" => bytes = number,
                    "response" => response = number,
                    _ => 0,
                };
            }
        }

        if (reads >= 0 && reads <= int.MaxValue && bytes >= 0 && response >= 0)
        {
            sizes.Observe(function, response, (int)reads, bytes);
        }
    }

    [LoggerMessage(EventId = 760, Level = LogLevel.Debug, Message = "Function {Function}: data locality runs it at {Target}, reading from {ReadFrom}: {Reason}")]
    private partial void LogDecided(string function, string target, string readFrom, string reason);
}
