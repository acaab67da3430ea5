using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Scheduling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Scheduling;

/// <summary>
/// <c>GET /api/load</c>: this site's load and the load of every other site it heard of (what its spill-out decisions
/// see), each with its age. See docs/functions.md, "Spill-out".
/// </summary>
internal static class LoadEndpoint
{
    public static IEndpointRouteBuilder MapFornaxScheduling(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/load", (LocalSite site, ILoadTracker tracker, LoadBoard board) =>
        {
            var sites = new JsonArray { (JsonNode)Site(site.Path, tracker.Snapshot(), TimeSpan.Zero, 0) };
            foreach (var (path, load, age) in board.FreshSites().OrderBy(s => s.SitePath, StringComparer.Ordinal))
            {
                sites.Add((JsonNode)Site(path, load, age, board.Outstanding(path)));
            }

            return Results.Json(new JsonObject { ["site"] = site.Path, ["sites"] = sites }, WebJson.Default.JsonObject);
        }).WithMetadata(new ListenerMetadata(Listeners.Api));
        return app;
    }

    private static JsonObject Site(string path, SiteLoad load, TimeSpan age, int forwarded)
    {
        var functions = new JsonObject();
        foreach (var (name, function) in load.Functions.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            functions[name] = new JsonObject
            {
                ["inFlight"] = function.InFlight,
                ["serviceTimeMs"] = function.ServiceTime is { } service ? Math.Round(service.TotalMilliseconds, 3) : null,
            };
        }

        return new JsonObject
        {
            ["path"] = path,
            ["capacity"] = load.Capacity,
            ["inFlight"] = load.InFlight,
            ["queued"] = load.Queued,
            ["stable"] = Math.Round(load.Stable, 3),
            ["panic"] = Math.Round(load.Panic, 3),
            ["panicking"] = load.Panicking,
            ["utilization"] = Math.Round(load.Utilization, 3),
            ["ageMs"] = (long)age.TotalMilliseconds,
            // Invocations this site forwarded there and that have not answered yet.
            ["forwarded"] = forwarded,
            ["functions"] = functions,
        };
    }
}
