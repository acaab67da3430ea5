using System.Text.Json.Nodes;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// A mission from the parent whose name is taken here by one of this site's own missions is not applied: the own one is
/// never overwritten. The parent is told instead — this site's path reports <see cref="ConflictState"/> for it, so the
/// site where the mission was applied shows why this site does not run it — and the parent's mission is kept aside
/// (<c>links/blocked-missions.json</c>, so a restart remembers it). Once the own mission is deleted here, the parent's is
/// applied at once; a later change or delete of it upstream replaces or drops what is kept.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
    Justification = "_applyLock is a SemaphoreSlim used only through WaitAsync/Release: it never creates a wait handle to dispose")]
public sealed partial class Uplink
{
    /// <summary>This site's state, as the parent sees it, for a mission it holds back because of a name conflict.</summary>
    public const string ConflictState = Fornax.Core.Objects.MissionStates.Conflict;

    private readonly Dictionary<(string, string), MissionChange> _blocked = [];

    // Mission changes are applied by the link's receive loop and, for a held-back mission whose way is now clear, by the
    // loop that follows the store: one at a time, so the newest change for a name is the one that stays.
    private readonly SemaphoreSlim _applyLock = new(1, 1);

    private string BlockedFile => Path.Combine(_dataDirectory, "links", "blocked-missions.json");

    private void LoadBlocked()
    {
        // Torn, it is rebuilt from the parent's full snapshot: the next session resumes from version 0.
        var held = ResumeFile.Read(BlockedFile, doc => doc.AsObject().Select(entry => MissionChange.Parser.ParseJson(entry.Value!.ToJsonString())).ToList(),
            _logger, "resuming from the parent's full snapshot, which brings back the missions held back");
        if (held is null)
        {
            if (File.Exists(BlockedFile))
            {
                Interlocked.Exchange(ref _parentRv, 0);
            }

            return;
        }

        foreach (var change in held)
        {
            var key = (change.Namespace, change.Name);
            _blocked[key] = change;
            _reports[key] = (new Dictionary<string, string> { [_self.Path] = ConflictState }, change.Generation, ++_reportSeq);
        }
    }

    /// <summary>Holds <paramref name="change"/> back and tells the parent why (the caller holds <see cref="_applyLock"/>).</summary>
    private void Block((string, string) key, MissionChange change)
    {
        lock (_gate)
        {
            bool known = _blocked.TryGetValue(key, out var before) && before.Generation == change.Generation;
            _blocked[key] = change;
            if (!known)
            {
                _reports[key] = (new Dictionary<string, string> { [_self.Path] = ConflictState }, change.Generation, ++_reportSeq);
                SignalReports();
            }
            SaveBlocked();
        }
        LogMissionBlocked($"{key.Item1}/{key.Item2}", change.Generation);
    }

    /// <summary>Forgets a held-back mission (applied after all, or deleted upstream); the caller holds <see cref="_applyLock"/>.</summary>
    private void Unblock((string, string) key)
    {
        lock (_gate)
        {
            if (!_blocked.Remove(key)) return;
            _reports.Remove(key);
            SaveBlocked();
        }
    }

    /// <summary>This site's own mission <paramref name="key"/> was deleted: a mission of the parent held back for it goes in now.</summary>
    private async Task ApplyUnblockedAsync((string, string) key, CancellationToken ct)
    {
        MissionChange? change;
        lock (_gate)
        {
            change = _blocked.GetValueOrDefault(key);
        }
        if (change is null) return;
        LogMissionUnblocked($"{key.Item1}/{key.Item2}");
        await ApplyChangeAsync(change, ct);
    }

    /// <summary>After a full snapshot from the parent: forget held-back missions the parent no longer has.</summary>
    private async Task ForgetBlockedExceptAsync(HashSet<(string, string)> keep, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct);
        try
        {
            List<(string, string)> gone;
            lock (_gate)
            {
                gone = [.. _blocked.Keys.Where(k => !keep.Contains(k))];
            }
            foreach (var key in gone) Unblock(key);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private void SaveBlocked()
    {
        var json = new JsonObject();
        foreach (var ((ns, name), change) in _blocked)
            json[$"{ns}/{name}"] = JsonNode.Parse(Google.Protobuf.JsonFormatter.Default.Format(change));
        ResumeFile.Write(BlockedFile, json);
    }

    private void SignalReports()
    {
        _reportsChanged.TrySetResult();
        _reportsChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(EventId = 327, Level = LogLevel.Warning, Message = "Mission {Mission} from the parent (generation {Generation}) is not applied: this site has its own mission of that name")]
    private partial void LogMissionBlocked(string mission, long generation);

    [LoggerMessage(EventId = 328, Level = LogLevel.Information, Message = "This site's own mission {Mission} is gone: applying the parent's mission of that name")]
    private partial void LogMissionUnblocked(string mission);
}
