using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>The parent's side of heartbeats and mission state reports from its children.</summary>
public sealed partial class Downlinks
{
    public async Task HeartbeatAsync(string childPath, Heartbeat heartbeat, CancellationToken ct)
    {
        ChildState? child;
        bool wasOffline;
        var now = options.TimeProvider.GetUtcNow();
        lock (_gate)
        {
            if (!_children.TryGetValue(childPath, out child))
            {
                return;
            }

            wasOffline = !child.Online;
            child.Online = true;
            child.SitesShownOffline = false;
            child.LastHeartbeat = now;
            child.Subtree = [.. heartbeat.Subtree];
            child.Forgotten = [.. heartbeat.Forgotten.Where(f => f.Path != childPath && MissionStatus.IsUnder(f.Path, childPath))];
        }

        foreach (var site in heartbeat.Subtree)
        {
            var own = site.Path == childPath;
            var healthy = own ? heartbeat.Healthy : site.Healthy;
            var last = own ? now : DateTimeOffset.FromUnixTimeMilliseconds(site.LastHeartbeatUnixMs);
            // A deeper site keeps the phase the level below gave it (Offline there is Offline here, not Unknown).
            var phase = own || string.IsNullOrEmpty(site.Phase) ? null : site.Phase;
            await WriteSiteAsync(site, healthy, last, phase, WriteDurability.Relaxed, ct);
        }

        // Sites forgotten below the child: their Site objects here go too (its reports drop their state keys).
        await DropRelayedForgetsAsync(child.Forgotten, ct);

        if (wasOffline)
        {
            // Back from offline without a new stream (heartbeats were only late): put its reports back.
            await RestoreReportsAsync(child, ct);
            ChildBackOnline?.Invoke(childPath, heartbeat.Subtree.ToDictionary(site => site.Path, site => site.Path == childPath ? heartbeat.Healthy : site.Healthy));
        }
    }

    /// <summary>Puts back what the child last reported (replaced by <c>cluster offline</c> while it was away).</summary>
    private async Task RestoreReportsAsync(ChildState child, CancellationToken ct)
    {
        List<((string, string) Key, Dictionary<string, string> States)> reports;
        lock (_gate)
        {
            reports = [.. child.Reports.Select(r => (r.Key, new Dictionary<string, string>(r.Value)))];
        }

        foreach (var (key, states) in reports)
        {
            await WriteStatesAsync(new ObjectKey("Mission", key.Item1, key.Item2), child.Path, states, ct);
        }
    }

    public async Task ReportAsync(string childPath, MissionStateReport report, CancellationToken ct)
    {
        var states = report.States.Where(s => MissionStatus.IsUnder(s.Key, childPath)).ToDictionary(s => s.Key, s => s.Value);
        lock (_gate)
        {
            if (!_children.TryGetValue(childPath, out var child))
            {
                return;
            }

            child.Reports[(report.Namespace, report.Name)] = states;
            child.ReportSeq = Math.Max(child.ReportSeq, report.Seq);
        }

        await WriteStatesAsync(new ObjectKey("Mission", report.Namespace, report.Name), childPath, states, ct);
    }
}
