using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>Writes the <c>Site</c> objects that show the subtree at each level.</summary>
public static class SiteObjects
{
    /// <summary>
    /// Writes a subtree site's <c>Site</c>. From a heartbeat it is <see cref="WriteDurability.Relaxed"/> (the next heartbeat
    /// after a restart rebuilds it); the pruner's <c>Offline</c> mark is durable, as the mission marks are.
    /// </summary>
    /// <remarks>
    /// With <paramref name="statusOnly"/> the caller knows the stored spec and labels are these, so only the status is
    /// written (one store operation instead of two); if the object is gone after all, it is written in full.
    /// </remarks>
    public static async Task WriteAsync(IObjectStore store, SiteSummary site, bool healthy, DateTimeOffset lastHeartbeat, WriteDurability durability, CancellationToken ct, string? phase = null, bool statusOnly = false)
    {
        var obj = new Site
        {
            Metadata = new ObjectMeta { Name = site.Name, Namespace = Kinds.DefaultNamespace, Labels = new(site.Labels) },
            Spec = new SiteSpec { Parent = string.IsNullOrEmpty(site.Parent) ? null : site.Parent, Tier = site.Tier },
        };
        var status = new Fornax.Core.Objects.SiteStatus
        {
            Path = site.Path,
            Healthy = healthy,
            Phase = phase ?? (healthy ? SitePhases.Ready : SitePhases.Unknown),
            LastHeartbeat = lastHeartbeat,
            Children = [.. site.Children],
            Missions = new SiteMissionCounts { Received = site.MissionsReceived, Active = site.MissionsActive },
            Endpoints = site.Endpoints is { } e ? new SiteEndpoints { Api = Empty(e.Api), Ingress = Empty(e.Ingress), Resp = Empty(e.Resp) } : null,
        };
        if (statusOnly)
        {
            try
            {
                var key = new ObjectKey("Site", Kinds.DefaultNamespace, site.Name);
                await store.UpdateStatusAsync(key, ObjectSerializer.ToJsonObject(new Site { Status = status })["status"]!.DeepClone(), null, durability, ct);
                return;
            }
            catch (StoreException gone) when (gone.Reason == StoreErrorReason.NotFound)
            {
                // Deleted since this site wrote it (by hand, say): write it whole again below.
            }
        }

        await WriteAsync(store, obj, status, durability, ct);
    }

    /// <summary>
    /// Writes this site's own <c>Site</c>, <see cref="WriteDurability.Relaxed"/>: every start and every pruner pass
    /// write it again from the site's configuration, children and missions.
    /// </summary>
    public static async Task WriteSelfAsync(IObjectStore store, LinkSiteInfo self, List<string> children, (int Received, int Active) missions, DateTimeOffset now, CancellationToken ct)
    {
        var (received, active) = missions;
        var obj = new Site
        {
            Metadata = new ObjectMeta { Name = self.Name, Namespace = Kinds.DefaultNamespace, Labels = new(self.Labels) },
            Spec = new SiteSpec { Parent = self.Parent, Tier = self.Tier },
        };
        var status = new Fornax.Core.Objects.SiteStatus
        {
            Path = self.Path,
            Healthy = true,
            Phase = SitePhases.Ready,
            LastHeartbeat = now,
            Children = children,
            Missions = new SiteMissionCounts { Received = received, Active = active },
            Endpoints = new SiteEndpoints { Api = self.Api, Ingress = self.Ingress, Resp = self.Resp },
        };
        await WriteAsync(store, obj, status, WriteDurability.Relaxed, ct);
    }

    /// <summary>Missions this site holds, and how many are Active here.</summary>
    public static (int Received, int Active) Counts(IReadOnlyList<StoredObject> missions, string path) =>
        (missions.Count, missions.Count(m => MissionStatus.States(m.Object).GetValueOrDefault(path) == MissionStates.Active));

    private static async Task WriteAsync(IObjectStore store, Site obj, Fornax.Core.Objects.SiteStatus status, WriteDurability durability, CancellationToken ct)
    {
        var (stored, _) = await store.ApplyAsync(ObjectSerializer.ToJsonObject(obj), durability, ct);
        var statusJson = ObjectSerializer.ToJsonObject(new Site { Status = status })["status"]!.DeepClone();
        if (!JsonNode.DeepEquals(stored.Object["status"], statusJson))
        {
            await store.UpdateStatusAsync(stored.Key, statusJson, null, durability, ct);
        }
    }

    private static string? Empty(string s) => string.IsNullOrEmpty(s) ? null : s;
}
