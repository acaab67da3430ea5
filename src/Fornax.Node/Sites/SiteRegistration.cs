using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Store;

namespace Fornax.Node.Sites;

/// <summary>
/// Writes this site's own <c>Site</c> object (labels, tier, path, endpoints) into its store at start. Relaxed
/// (<see cref="WriteDurability.Relaxed"/>): it is derived from the configuration and written again at every start.
/// </summary>
internal static class SiteRegistration
{
    public static async Task RegisterAsync(IObjectStore store, LocalSite site, SiteEndpointsInfo endpoints, TimeProvider time, CancellationToken ct)
    {
        var obj = new Site
        {
            Metadata = new ObjectMeta { Name = site.Name, Namespace = Kinds.DefaultNamespace, Labels = new(site.Labels) },
            Spec = new SiteSpec { Parent = site.Parent, Tier = site.Tier },
        };
        var (stored, _) = await store.ApplyAsync(ObjectSerializer.ToJsonObject(obj), WriteDurability.Relaxed, ct);
        var status = new SiteStatus
        {
            Path = site.Path,
            Healthy = true,
            Phase = SitePhases.Ready,
            LastHeartbeat = time.GetUtcNow(),
            Endpoints = new SiteEndpoints { Api = endpoints.Api, Ingress = endpoints.Ingress, Resp = endpoints.Resp },
        };
        var statusJson = ObjectSerializer.ToJsonObject(new Site { Status = status })["status"]!.DeepClone();
        await store.UpdateStatusAsync(stored.Key, statusJson, null, WriteDurability.Relaxed, ct);
    }
}
