using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>What a site knows of its subtree from its <c>Site</c> objects (written from heartbeats, so it survives restarts).</summary>
public static class SubtreeSites
{
    /// <summary>The paths of every site strictly below <paramref name="root"/> that the store has a <c>Site</c> object for.</summary>
    public static async Task<IReadOnlyList<string>> PathsUnderAsync(IObjectStore store, string root, CancellationToken ct)
    {
        var sites = await store.ListAsync("Site", null, ct);
        return [.. sites.Items
            .Select(s => s.Object["status"]?["path"]?.GetValue<string>())
            .OfType<string>()
            .Where(p => p != root && SiteMove.IsAtOrUnder(p, root))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Every <c>Site</c> object with a path, as the heartbeat summary it was written from (<c>SiteObjects.WriteAsync</c>),
    /// so writing one back changes nothing but what the caller changes. During a move, <paramref name="move"/> gives
    /// old-tree paths their new ones.
    /// </summary>
    public static async Task<IReadOnlyList<SiteSummary>> SummariesAsync(IObjectStore store, SiteMove? move, CancellationToken ct)
    {
        var sites = await store.ListAsync("Site", null, ct);
        List<SiteSummary> summaries = [];
        foreach (var stored in sites.Items)
        {
            var site = ObjectSerializer.FromJson<Site>(stored.Object);
            if (site.Status?.Path is not { Length: > 0 } path)
            {
                continue;
            }

            var summary = new SiteSummary
            {
                Name = site.Metadata.Name,
                Path = move?.Rebase(path) ?? path,
                Parent = site.Spec.Parent ?? "",
                Tier = site.Spec.Tier ?? "",
                Healthy = site.Status.Healthy ?? false,
                LastHeartbeatUnixMs = site.Status.LastHeartbeat?.ToUnixTimeMilliseconds() ?? 0,
                MissionsReceived = site.Status.Missions?.Received ?? 0,
                MissionsActive = site.Status.Missions?.Active ?? 0,
                Endpoints = site.Status.Endpoints is { } e ? new Endpoints { Api = e.Api ?? "", Ingress = e.Ingress ?? "", Resp = e.Resp ?? "" } : null,
                // Only a phase that says more than `healthy` travels (see SiteSummary.phase in link.proto).
                Phase = site.Status.Phase is SitePhases.Ready or null ? "" : site.Status.Phase,
            };
            summary.Children.Add(site.Status.Children ?? []);
            summary.Labels.Add(site.Metadata.Labels ?? []);
            summaries.Add(summary);
        }

        return summaries;
    }

    /// <summary>Whether <paramref name="path"/> is a child of <paramref name="parent"/> (one level below it).</summary>
    public static bool IsDirectChild(string path, string parent) =>
        path.Length > parent.Length + 1 && path.StartsWith(parent + "/", StringComparison.Ordinal) && !path[(parent.Length + 1)..].Contains('/');

    /// <summary>The names of the direct children of <paramref name="root"/> among <paramref name="paths"/>.</summary>
    public static IReadOnlyList<string> DirectChildren(IEnumerable<string> paths, string root) =>
        [.. paths.Where(p => p.Length > root.Length + 1 && p.StartsWith(root + "/", StringComparison.Ordinal) && !p[(root.Length + 1)..].Contains('/'))
            .Select(p => p[(root.Length + 1)..])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
}
