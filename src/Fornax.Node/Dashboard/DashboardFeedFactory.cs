using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Links;
using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Dashboard;

/// <summary>
/// What one page's feed needs from the site, and the feed itself (<see cref="DashboardFeed"/>) for each request.
/// A singleton: the feeds share nothing but the store, whose watch fans out to each of them.
/// </summary>
internal sealed class DashboardFeedFactory(
    IObjectStore store,
    SiteHeartbeats heartbeats,
    Downlinks downlinks,
    LinkRunner links,
    LocalSite site,
    NodeOptions options,
    FunctionRegistry functions,
    SiteFunctionRuntime runtime)
{
    /// <summary>How often a feed sends heartbeat times and function stats; also its keep-alive.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(2);

    /// <summary>Changes sent in one message at most; a burst (500 sites going offline) goes out in a few.</summary>
    public const int MaxBatch = 1000;

    public IObjectStore Store => store;

    public TimeProvider Time => options.TimeProvider;

    public Task RunAsync(HttpContext http) => new DashboardFeed(this, http).RunAsync();

    public JsonObject Snapshot(ObjectList list) => new()
    {
        ["site"] = new JsonObject
        {
            ["name"] = site.Name,
            ["path"] = site.Path,
            ["tier"] = site.Tier,
            ["parent"] = site.Parent,
            ["emulatedUplink"] = links.UplinkControl is not null,
        },
        ["resourceVersion"] = list.ResourceVersion,
        ["tickMs"] = TickInterval.TotalMilliseconds,
        ["heartbeatMs"] = options.HeartbeatInterval.TotalMilliseconds,
        ["kinds"] = new JsonArray([.. Kinds.All.Where(k => k.Stored).Select(k => (JsonNode)new JsonObject { ["kind"] = k.Kind, ["plural"] = k.Plural })]),
        ["objects"] = new JsonArray([.. list.Items.Select(i => (JsonNode)heartbeats.Fresh(i, copy: true))]),
    };

    /// <summary>The live part that the store's watch does not carry: heartbeat times, this site's uplink, function stats.</summary>
    public JsonObject Tick(IEnumerable<string> sitePaths)
    {
        var heard = new JsonObject();
        foreach (var path in sitePaths)
        {
            if (downlinks.LastHeartbeatOf(path) is { } at)
            {
                heard[path] = at;
            }
        }

        return new JsonObject
        {
            ["now"] = options.TimeProvider.GetUtcNow(),
            ["heartbeats"] = heard,
            ["uplink"] = links.Uplink is { } uplink ? (uplink.Refusal is not null ? "refused" : uplink.IsConnected ? "connected" : "disconnected") : null,
            ["functions"] = FunctionStatsEndpoint.Build(functions, runtime, options),
        };
    }
}
