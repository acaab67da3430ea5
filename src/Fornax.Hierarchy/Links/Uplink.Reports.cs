using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;
/// <summary>Change-based state reports: each inherited mission whose subtree state map changed here is reported up.</summary>
public sealed partial class Uplink
{
    private async Task ReportLoopAsync(long receivedSeq, Func<Up, Task> send, CancellationToken ct)
    {
        var sentUpTo = receivedSeq;
        while (!ct.IsCancellationRequested)
        {
            Task changed;
            List<MissionStateReport> pending;
            lock (_gate)
            {
                changed = _reportsChanged.Task;
                pending = [.. _reports.Where(r => r.Value.Seq > sentUpTo).OrderBy(r => r.Value.Seq).Select(r => ToReport(r.Key, r.Value))];
            }

            foreach (var report in pending)
            {
                await send(new Up { Report = report });
                sentUpTo = Math.Max(sentUpTo, report.Seq);
            }

            await changed.WaitAsync(ct);
        }
    }

    private static MissionStateReport ToReport((string Ns, string Name) key, (Dictionary<string, string> States, long Generation, long Seq) value)
    {
        var report = new MissionStateReport { Namespace = key.Ns, Name = key.Name, Generation = value.Generation, Seq = value.Seq };
        report.States.Add(value.States);
        return report;
    }

    /// <summary>Follows this site's store: each inherited mission whose subtree state map changed gets a new report.</summary>
    private Task FollowLocalStatesAsync(CancellationToken ct) =>
        _store.FollowAsync("Mission", TrackAllAsync, async (change, token) =>
        {
            if (Track(change.Object.Object, change.Type == WatchEventType.Deleted))
            {
                await ApplyUnblockedAsync((change.Object.Key.Namespace, change.Object.Key.Name), token);
            }
        }, ct);

    /// <summary>
    /// After a (re)list: tracks every mission, and applies each held-back mission whose name no mission here takes any
    /// more. Its own mission was deleted while nothing followed the store (before the site's first list, while it was
    /// stopped, or while a watch that fell behind listed again), so no delete event will come to free it; and the
    /// parent, resuming where it stopped, sends nothing new for it.
    /// </summary>
    private async Task TrackAllAsync(ObjectList list, CancellationToken ct)
    {
        var present = new HashSet<(string, string)>();
        foreach (var item in list.Items)
        {
            Track(item.Object, deleted: false);
            present.Add((item.Key.Namespace, item.Key.Name));
        }

        List<(string, string)> freed;
        lock (_gate)
        {
            freed = [.. _blocked.Keys.Where(key => !present.Contains(key))];
        }

        foreach (var key in freed)
        {
            await ApplyUnblockedAsync(key, ct);
        }
    }

    /// <summary>Tracks one mission of this site's store; returns true when it was this site's own and is now deleted.</summary>
    private bool Track(JsonObject mission, bool deleted)
    {
        if (MissionStatus.Annotation(mission, MissionStatus.OriginAnnotation) is null)
        {
            return deleted;
        }

        var key = (mission["metadata"]!["namespace"]!.GetValue<string>(), mission["metadata"]!["name"]!.GetValue<string>());
        lock (_gate)
        {
            if (deleted)
            {
                _reports.Remove(key);
                return false;
            }

            var states = MissionStatus.States(mission).Where(s => MissionStatus.IsUnder(s.Key, _self.Path)).ToDictionary();
            var generation = long.TryParse(MissionStatus.Annotation(mission, MissionStatus.OriginGenerationAnnotation), out var g) ? g : 0;
            if (_reports.TryGetValue(key, out var known) && known.Generation == generation
                && known.States.Count == states.Count && !known.States.Except(states).Any())
            {
                return false;
            }

            _reports[key] = (states, generation, ++_reportSeq);
            SignalReports();
        }

        return false;
    }
}
