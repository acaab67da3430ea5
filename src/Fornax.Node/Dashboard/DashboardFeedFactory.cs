using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Links;
using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Portal;
using Fornax.Node.Sites;
using Fornax.Portal;
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
    SiteFunctionRuntime runtime,
    IServiceMap services,
    RoutePlanner routes)
{
    /// <summary>How often a feed sends heartbeat times and function stats; also its keep-alive.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(2);

    /// <summary>Changes sent in one message at most; a burst (500 sites going offline) goes out in a few.</summary>
    public const int MaxBatch = 1000;

    public IObjectStore Store => store;

    public TimeProvider Time => options.TimeProvider;

    public Task RunAsync(HttpContext http) => new DashboardFeed(this, http).RunAsync();

    /// <summary>
    /// The first message: this site, the kinds, and every stored object. Written straight from the stored objects,
    /// without copying each into a new document first: with 500 sites the copies were most of the snapshot's cost.
    /// </summary>
    public byte[] Snapshot(ObjectList list)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WritePropertyName("site");
            new JsonObject
            {
                ["name"] = site.Name,
                ["path"] = site.Path,
                ["tier"] = site.Tier,
                ["parent"] = site.Parent,
                ["emulatedUplink"] = links.UplinkControl is not null,
            }.WriteTo(json);
            json.WriteNumber("resourceVersion", list.ResourceVersion);
            json.WriteNumber("tickMs", TickInterval.TotalMilliseconds);
            json.WriteNumber("heartbeatMs", options.HeartbeatInterval.TotalMilliseconds);
            json.WriteStartArray("kinds");
            foreach (var kind in Kinds.All.Where(k => k.Stored))
            {
                json.WriteStartObject();
                json.WriteString("kind", kind.Kind);
                json.WriteString("plural", kind.Plural);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("objects");
            foreach (var item in list.Items)
            {
                heartbeats.Fresh(item, copy: false).WriteTo(json);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The live part that the store's watch does not carry: heartbeat times, this site's uplink, function stats, and the
    /// services this site's portal knows with their health and route (the map travels on the links, not in the store).
    /// </summary>
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
            ["services"] = PortalServicesEndpoint.Build(services, routes, site),
        };
    }
}
