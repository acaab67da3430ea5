using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Functions;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Functions;

/// <summary><c>GET /api/functions/stats</c>: per-function counts since the site started (what <c>fornax get functions -o wide</c> shows).</summary>
internal static class FunctionStatsEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/functions/stats", (FunctionRegistry registry, SiteFunctionRuntime site, NodeOptions options) => Results.Json(Build(registry, site, options), WebJson.Default.JsonObject))
            .WithMetadata(new ListenerMetadata(Listeners.Api));

    /// <summary>The stats document; the dashboard's feed sends the same one on every tick.</summary>
    public static JsonObject Build(FunctionRegistry registry, SiteFunctionRuntime site, NodeOptions options)
    {
        var functions = new JsonArray();
        // No runtime yet means no function was ever deployed here: nothing served, nothing compiled.
        var runtime = site.Current;
        foreach (var deployed in registry.Serving)
        {
            if (runtime?.GetStats(deployed.Name) is not { } stats)
            {
                continue;
            }

            functions.Add((JsonNode)new JsonObject
            {
                ["name"] = deployed.Name,
                ["namespace"] = deployed.Key.Namespace,
                ["digest"] = stats.Digest,
                ["invocations"] = stats.Invocations,
                // Every admitted request runs in a fresh instance: each is a cold start (of microseconds, not seconds).
                ["coldStarts"] = stats.Instantiations,
                ["ok"] = stats.Ok,
                ["traps"] = stats.Traps,
                ["timeouts"] = stats.Timeouts,
                ["memoryLimits"] = stats.MemoryLimits,
                ["outputTooLarge"] = stats.OutputTooLarge,
                ["tooManyRequests"] = stats.TooManyRequests,
                ["invalidResponses"] = stats.InvalidResponses,
                ["inFlight"] = stats.InFlight,
                ["p50Ms"] = deployed.Latency.Quantile(0.5) is { } p50 ? Math.Round(p50.TotalMilliseconds, 3) : null,
                ["p99Ms"] = deployed.Latency.Quantile(0.99) is { } p99 ? Math.Round(p99.TotalMilliseconds, 3) : null,
                ["meanMs"] = Math.Round(stats.MeanDuration.TotalMilliseconds, 3),
            });
        }

        var modules = runtime?.GetRuntimeStats() ?? new RuntimeStats(0, 0, 0, 0);
        return new JsonObject
        {
            ["site"] = options.Name,
            ["functions"] = functions,
            ["runtime"] = new JsonObject
            {
                ["compiles"] = modules.Compiles,
                ["diskCacheLoads"] = modules.DiskCacheLoads,
                ["cachedModules"] = modules.CachedModules,
            },
        };
    }
}
