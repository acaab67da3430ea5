using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Portal;

/// <summary>
/// <c>GET /api/services</c>: every service this site's portal knows, the sites serving it with their health, and the route a
/// request from here takes now (what <c>fornax get services -o wide</c> shows).
/// </summary>
internal static class PortalServicesEndpoint
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/services", (IServiceMap map, RoutePlanner planner, LocalSite site) => Results.Json(Build(map, planner, site), WebJson.Default.JsonObject))
            .WithMetadata(new ListenerMetadata(Listeners.Api));

    public static JsonObject Build(IServiceMap map, RoutePlanner planner, LocalSite site)
    {
        var services = new JsonArray();
        // Keyspaces held at sites travel in the map too; they are no services to list.
        foreach (var service in map.Services.Where(s => !Locality.KeyspaceServices.IsKeyspace(s)))
        {
            var backends = new JsonArray();
            foreach (var serving in map.SitesServing(service))
            {
                backends.Add((JsonNode)new JsonObject { ["site"] = serving.SitePath, ["healthy"] = serving.Healthy, ["portal"] = serving.PortalAddress });
            }

            // The first choice: what a request sent now tries first (later ones only if it fails).
            var candidates = planner.Plan(service).Candidates;
            var first = candidates.Count > 0 ? candidates[0] : null;
            var route = first is null ? [] : first.Local ? new JsonArray(site.Path) : new JsonArray(site.Path, first.Site.SitePath);
            services.Add((JsonNode)new JsonObject
            {
                ["namespace"] = service.Namespace,
                ["name"] = service.Name,
                ["backends"] = backends,
                ["route"] = route,
            });
        }

        return new JsonObject { ["site"] = site.Path, ["services"] = services };
    }
}
