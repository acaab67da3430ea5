using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;
/// <summary>Missions from the parent: changes and snapshots applied to this site's store, and the bookmark they resume from.</summary>
public sealed partial class Uplink
{
    private async Task ApplyChangeAsync(MissionChange change, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct);
        try
        {
            await ApplyChangeLockedAsync(change, ct);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private async Task ApplyChangeLockedAsync(MissionChange change, CancellationToken ct)
    {
        var key = new ObjectKey("Mission", change.Namespace, change.Name);
        if (change.Type == MissionChange.Types.Type.Delete)
        {
            Unblock((change.Namespace, change.Name));
            var local = await _store.GetAsync(key, ct);
            if (local is not null && MissionStatus.Annotation(local.Object, MissionStatus.OriginAnnotation) is not null)
            {
                try
                {
                    await _store.DeleteAsync(key, ct: ct);
                    LogMissionRemoved(key.ToString());
                }
                catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
                {
                }
            }

            return;
        }

        // This site's own mission of that name is never overwritten; the parent hears why instead.
        if (await _store.GetAsync(key, ct) is { } existing && MissionStatus.Annotation(existing.Object, MissionStatus.OriginAnnotation) is null)
        {
            Block((change.Namespace, change.Name), change);
            return;
        }

        Unblock((change.Namespace, change.Name));
        var json = JsonNode.Parse(change.Json)!.AsObject();
        json.Remove("status");
        var meta = json["metadata"]!.AsObject();
        foreach (var owned in new[] { "resourceVersion", "uid", "generation", "creationTimestamp" })
        {
            meta.Remove(owned);
        }

        var annotations = meta["annotations"] as JsonObject ?? [];
        annotations[MissionStatus.OriginAnnotation] = _self.ParentPath;
        annotations[MissionStatus.OriginGenerationAnnotation] = change.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        meta["annotations"] = annotations;
        // Autonomy: everything the mission needs is on this site's disk before the mission is stored here.
        await FetchMissingBlobsAsync(json, ct);
        var (_, outcome) = await _store.ApplyAsync(json, ct);
        if (outcome != ApplyOutcome.Unchanged)
        {
            LogMissionReceived(key.ToString(), change.Generation, outcome.ToString());
        }
    }

    private async Task ApplySnapshotAsync(Snapshot snapshot, CancellationToken ct)
    {
        var keep = new HashSet<(string, string)>();
        foreach (var change in snapshot.Missions)
        {
            keep.Add((change.Namespace, change.Name));
            await ApplyChangeAsync(change, ct);
        }

        var local = await _store.ListAsync("Mission", null, ct);
        foreach (var item in local.Items)
        {
            if (MissionStatus.Annotation(item.Object, MissionStatus.OriginAnnotation) is not null && !keep.Contains((item.Key.Namespace, item.Key.Name)))
            {
                await ApplyChangeAsync(new MissionChange { Type = MissionChange.Types.Type.Delete, Namespace = item.Key.Namespace, Name = item.Key.Name }, ct);
            }
        }

        await ForgetBlockedExceptAsync(keep, ct);
        SaveParentRv(snapshot.Rv);
    }

    private void SaveParentRv(long rv)
    {
        Interlocked.Exchange(ref _parentRv, rv);
        ResumeFile.Write(_stateFile, new JsonObject { ["parentRv"] = rv, ["parentLink"] = _parentLink });
    }

    [LoggerMessage(EventId = 322, Level = LogLevel.Information, Message = "Mission {Mission} from the parent (generation {Generation}, {Outcome})")]
    private partial void LogMissionReceived(string mission, long generation, string outcome);

    [LoggerMessage(EventId = 323, Level = LogLevel.Information, Message = "Mission {Mission} deleted upstream")]
    private partial void LogMissionRemoved(string mission);
}
