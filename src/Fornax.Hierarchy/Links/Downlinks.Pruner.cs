using Fornax.Core.Objects;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>The pruner: notices heartbeats that did <em>not</em> arrive and marks the child <c>cluster offline</c>; the gated state writes.</summary>
public sealed partial class Downlinks
{
    /// <summary>How many times per heartbeat interval the pruner looks for a child whose heartbeats stopped.</summary>
    internal const int ChecksPerInterval = 4;

    private long _prunerLooks;

    /// <summary>How many passes <see cref="RunPrunerAsync"/> has finished (tests wait for one after moving fake time).</summary>
    internal long PrunerLooks => Interlocked.Read(ref _prunerLooks);

    /// <summary>
    /// One pruner pass: a child whose last heartbeat is older than <see cref="LinkOptions.MissedHeartbeats"/>
    /// intervals goes offline, and so does a child restored at start that has not linked within as many intervals of
    /// the start; every mission gets <c>cluster offline</c> for every offline child (missions applied while it is away
    /// too). Also refreshes this site's own <c>Site</c> status.
    /// </summary>
    public Task PruneAsync(CancellationToken ct) => PruneAsync(full: true, ct);

    /// <summary>
    /// A pruner pass; unless <paramref name="full"/>, only the look for children that went offline, and the rest of the
    /// pass only if one did (<see cref="RunPrunerAsync"/> looks several times per heartbeat interval).
    /// </summary>
    internal async Task PruneAsync(bool full, CancellationToken ct)
    {
        var now = options.TimeProvider.GetUtcNow();
        var limit = options.HeartbeatInterval * options.MissedHeartbeats;
        List<(ChildState Child, bool SinceStart)> wentOffline = [];
        List<string> offline = [];
        List<ChildState> toShowOffline = [];
        lock (_gate)
        {
            foreach (var child in _children.Values)
            {
                if (child.Online && now - child.LastHeartbeat > limit)
                {
                    child.Online = false;
                    wentOffline.Add((child, false));
                }
                else if (child.AwaitedSince is { } since && now - since > limit)
                {
                    child.AwaitedSince = null;
                    wentOffline.Add((child, true));
                }

                if (child.IsOffline)
                {
                    offline.Add(child.Path);
                    if (!child.SitesShownOffline)
                    {
                        toShowOffline.Add(child);
                    }
                }
            }
        }

        if (!full && wentOffline.Count == 0)
        {
            return;
        }

        foreach (var (child, sinceStart) in wentOffline)
        {
            if (sinceStart)
            {
                LogRestoredChildOffline(child.Path, options.MissedHeartbeats);
            }
            else
            {
                LogChildOffline(child.Path, options.MissedHeartbeats);
            }

            ChildWentOffline?.Invoke(child.Path);
        }

        foreach (var child in toShowOffline)
        {
            foreach (var site in child.Subtree)
            {
                // Each deeper site keeps its own last heartbeat as the child last relayed it: none is newer than that.
                var last = site.Path == child.Path ? child.LastHeartbeat : DateTimeOffset.FromUnixTimeMilliseconds(site.LastHeartbeatUnixMs);
                await WriteSiteAsync(site, healthy: false, last, phase: SitePhases.Offline, WriteDurability.Durable, ct);
            }

            lock (_gate)
            {
                // Unless a heartbeat brought it back meanwhile (its Sites then show what that heartbeat said).
                child.SitesShownOffline = child.IsOffline;
            }
        }

        // Listed only when an offline child needs its marks: the counts below come from a cache.
        var missions = offline.Count > 0 ? (await store.ListAsync("Mission", null, ct)).Items : [];
        foreach (var path in offline)
        {
            foreach (var mission in missions)
            {
                var states = MissionStatus.States(mission.Object);
                if (states.GetValueOrDefault(path) != MissionStates.ClusterOffline || states.Keys.Any(k => k != path && MissionStatus.IsUnder(k, path)))
                {
                    // Checked again under the write gate: a heartbeat may have brought the child back meanwhile, or it was forgotten.
                    await WithWriteGateAsync(() => IsOffline(path) ? MissionStatus.MarkOfflineAsync(store, mission.Key, path, ct) : Task.FromResult(false), ct);
                }
            }
        }

        await WriteSelfSiteAsync(Children.Select(c => c.Name).Order().ToList(), await OwnMissionCountsAsync(ct), now, ct);
    }

    /// <summary>
    /// Until cancelled: a full pruner pass every heartbeat interval, and <see cref="ChecksPerInterval"/> looks per
    /// interval for a child that went offline. Looking once per interval put up to a whole interval between the last
    /// missed heartbeat and the offline mark (at a 5 s heartbeat and 3 missed, a cut child was declared 15–20 s after
    /// its last heartbeat); now it is 15–16.25 s, so the mark is well inside the fourth heartbeat.
    /// </summary>
    public async Task RunPrunerAsync(CancellationToken ct)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, options.HeartbeatInterval.Ticks / ChecksPerInterval));
        using var timer = new PeriodicTimer(period, options.TimeProvider);
        long tick = 0;
        try
        {
            do
            {
                try
                {
                    await PruneAsync(full: tick++ % ChecksPerInterval == 0, ct);
                    Interlocked.Increment(ref _prunerLooks);
                }
                catch (StoreException e) when (e.Reason == StoreErrorReason.StorageFull && store.Storage.ReadOnly)
                {
                    // A full disk: the site says so once and tries again when it has room; a line per pass would bury it.
                }
                catch (StoreException e)
                {
                    LogPruneFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private bool IsOnline(string childPath)
    {
        lock (_gate)
        {
            return _children.TryGetValue(childPath, out var child) && child.Online;
        }
    }

    /// <summary>A child this site still knows (not forgotten) whose heartbeats stopped.</summary>
    private bool IsOffline(string childPath)
    {
        lock (_gate)
        {
            return _children.TryGetValue(childPath, out var child) && child.IsOffline;
        }
    }

    private Task WriteStatesAsync(ObjectKey key, string childPath, Dictionary<string, string> states, CancellationToken ct) =>
        WithWriteGateAsync(() => IsOnline(childPath) ? MissionStatus.ReplaceSubtreeAsync(store, key, childPath, states, WriteDurability.Relaxed, ct) : Task.FromResult(false), ct);

    private async Task WithWriteGateAsync(Func<Task<bool>> write, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            await write();
        }
        finally
        {
            _writes.Release();
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Child {Path} missed {Count} heartbeats: offline")]
    private partial void LogChildOffline(string path, int count);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Child {Path} has not linked within {Count} heartbeats of this site's start: offline")]
    private partial void LogRestoredChildOffline(string path, int count);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Pruner pass failed")]
    private partial void LogPruneFailed(Exception e);
}
