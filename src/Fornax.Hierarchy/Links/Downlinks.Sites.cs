using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// The <c>Site</c> objects a parent keeps for itself and its subtree. Every heartbeat carries the whole subtree, and
/// writing each entry every time cost a durable store write per site per ancestor per heartbeat, although only
/// <c>lastHeartbeat</c> had moved (in a 111-site tree, ~13 % of the idle process's CPU and ~11 % in fsync, perf). So
/// a Site is written when anything but <c>lastHeartbeat</c> changed, and otherwise only every
/// <see cref="LinkOptions.SiteRefreshHeartbeats"/> heartbeats; the newest heartbeat time is kept in memory
/// (<see cref="LastHeartbeatOf"/>), and the API serves it from there. The writes from heartbeats are relaxed
/// (<see cref="WriteDurability.Relaxed"/>, no fsync of their own): heartbeats rebuild them after a restart.
/// </summary>
public sealed partial class Downlinks
{
    private readonly SemaphoreSlim _siteWrites = new(1, 1);

    // Touched under _siteWrites only: what the store holds for each Site this site writes, by path.
    private readonly Dictionary<string, WrittenSite> _written = new(StringComparer.Ordinal);

    // Under _gate: this site's last mission counts and the index version they were counted at.
    private (long IndexRv, int Received, int Active)? _ownCounts;

    // Under _gate: the newest heartbeat heard for each site path (this site's own: its last pruner pass).
    private readonly Dictionary<string, DateTimeOffset> _heartbeats = new(StringComparer.Ordinal);

    /// <summary>Everything of a stored Site but <c>lastHeartbeat</c>, and when that was last written.</summary>
    private sealed record WrittenSite(SiteSummary Content, bool Healthy, string Phase, DateTimeOffset LastHeartbeat);

    /// <summary>The newest heartbeat time known here for a site of this subtree (or this site), or null.</summary>
    public DateTimeOffset? LastHeartbeatOf(string path)
    {
        lock (_gate)
        {
            return _heartbeats.TryGetValue(path, out var last) ? last : null;
        }
    }

    private void NoteHeartbeat(string path, DateTimeOffset last)
    {
        lock (_gate)
        {
            if (!_heartbeats.TryGetValue(path, out var known) || known < last)
            {
                _heartbeats[path] = last;
            }
        }
    }

    /// <summary>Writes a subtree site's <c>Site</c> unless only its heartbeat time moved and the stored one is recent enough.</summary>
    private Task WriteSiteAsync(SiteSummary site, bool healthy, DateTimeOffset lastHeartbeat, string? phase, WriteDurability durability, CancellationToken ct)
    {
        NoteHeartbeat(site.Path, lastHeartbeat);
        return WriteIfChangedAsync(site, healthy, phase ?? (healthy ? SitePhases.Ready : SitePhases.Unknown), lastHeartbeat,
            statusOnly => SiteObjects.WriteAsync(store, site, healthy, lastHeartbeat, durability, ct, phase, statusOnly), ct);
    }

    /// <summary>Writes this site's own <c>Site</c> on the same terms.</summary>
    private Task WriteSelfSiteAsync(List<string> children, (int Received, int Active) missions, DateTimeOffset now, CancellationToken ct)
    {
        NoteHeartbeat(self.Path, now);
        var (received, active) = missions;
        var content = new SiteSummary
        {
            Name = self.Name,
            Path = self.Path,
            Parent = self.Parent ?? "",
            Tier = self.Tier,
            MissionsReceived = received,
            MissionsActive = active,
            Endpoints = new Endpoints { Api = self.Api ?? "", Ingress = self.Ingress ?? "", Resp = self.Resp ?? "" },
        };
        content.Children.Add(children);
        content.Labels.Add(new Dictionary<string, string>(self.Labels));
        return WriteIfChangedAsync(content, healthy: true, SitePhases.Ready, now,
            _ => SiteObjects.WriteSelfAsync(store, self, children, missions, now, ct), ct);
    }

    /// <summary>
    /// How many missions this site holds and how many are <c>Active</c> here, for its own <c>Site</c> and its heartbeat.
    /// Counting lists every mission and parses its state map (at the root of a large tree, a path per site for each
    /// mission), once per heartbeat and once per pruner pass; with the spec-change index (which moves with every mission
    /// write, status included) the last count is reused until the index has seen a change, so an idle site never lists.
    /// </summary>
    internal async Task<(int Received, int Active)> OwnMissionCountsAsync(CancellationToken ct)
    {
        // Read before the list: a change the list misses moves the index after this, and the next call counts again.
        var seen = index?.ResourceVersion;
        lock (_gate)
        {
            if (seen is { } rv && _ownCounts is { } cached && cached.IndexRv == rv)
            {
                return (cached.Received, cached.Active);
            }
        }

        var missions = await store.ListAsync("Mission", null, ct);
        var counts = SiteObjects.Counts(missions.Items, self.Path);
        if (seen is { } at)
        {
            lock (_gate)
            {
                _ownCounts = (at, counts.Received, counts.Active);
            }
        }

        return counts;
    }

    /// <summary>
    /// Calls <paramref name="write"/> unless nothing but the heartbeat time moved (and not for a while). Its argument says
    /// whether only the status can have changed — the stored spec and labels are the ones this site wrote last — so the
    /// write can skip re-applying the spec: during a mission round every ancestor rewrites every descendant's
    /// <c>Site</c> for its new mission counts, and the spec apply was half of those store operations.
    /// </summary>
    private async Task WriteIfChangedAsync(SiteSummary site, bool healthy, string phase, DateTimeOffset lastHeartbeat, Func<bool, Task> write, CancellationToken ct)
    {
        var content = site.Clone();
        content.LastHeartbeatUnixMs = 0;
        var refresh = options.HeartbeatInterval * options.SiteRefreshHeartbeats;
        // One writer at a time, so the remembered state is always what the store got last (a pruner's Offline mark
        // and a late heartbeat's Ready for the same child may race).
        await _siteWrites.WaitAsync(ct);
        try
        {
            if (!IsKnown(site.Path))
            {
                return; // a forget removed it while this write waited: it must not come back
            }

            if (_written.TryGetValue(site.Path, out var written) && written.Healthy == healthy && written.Phase == phase
                && written.Content.Equals(content) && lastHeartbeat - written.LastHeartbeat < refresh)
            {
                return;
            }

            // A periodic refresh (nothing but the heartbeat moved) writes the whole object, so a Site edited by hand
            // comes back to what the subtree reports within SiteRefreshHeartbeats.
            bool onlyRefresh = written is not null && written.Healthy == healthy && written.Phase == phase && written.Content.Equals(content);
            bool statusOnly = written is not null && !onlyRefresh && SameSpec(written.Content, content);
            _written.Remove(site.Path);
            await write(statusOnly);
            _written[site.Path] = new WrittenSite(content, healthy, phase, lastHeartbeat);
        }
        finally
        {
            _siteWrites.Release();
        }
    }

    /// <summary>Whether two summaries give a <c>Site</c> the same name, labels and spec (parent, tier).</summary>
    private static bool SameSpec(SiteSummary a, SiteSummary b) =>
        a.Name == b.Name && a.Parent == b.Parent && a.Tier == b.Tier && a.Labels.Equals(b.Labels);
}
