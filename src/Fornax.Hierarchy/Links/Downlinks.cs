using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>What a parent knows about one child (kept across reconnects of the same child).</summary>
public sealed class ChildState(string name, string path)
{
    public string Name { get; } = name;

    public string Path { get; } = path;

    public string Incarnation { get; set; } = "";

    public long ReportSeq { get; set; }

    /// <summary>Linked: its heartbeats arrive (or were due only a little while ago).</summary>
    public bool Online { get; set; }

    /// <summary>
    /// Set while the child is known from this site's records at a start (<see cref="Downlinks.RestoreChildrenAsync"/>) and
    /// has not linked since: neither online nor declared offline yet. The pruner counts its missed heartbeats from here.
    /// </summary>
    public DateTimeOffset? AwaitedSince { get; set; }

    /// <summary>Declared offline by the pruner: its missions show <c>cluster offline</c>, its <c>Site</c> objects <c>Offline</c>.</summary>
    public bool IsOffline => !Online && AwaitedSince is null;

    /// <summary>
    /// The pruner's <c>Offline</c> mark is on every <c>Site</c> of its subtree. Until it is, each pruner pass writes it
    /// again (a pass whose store write failed must not leave the child shown <c>Ready</c> while it is offline).
    /// </summary>
    internal bool SitesShownOffline { get; set; }

    /// <summary>When it was last heard from (for a child restored at a start: as its <c>Site</c> object last showed it).</summary>
    public DateTimeOffset LastHeartbeat { get; set; }

    public IReadOnlyList<SiteSummary> Subtree { get; set; } = [];

    /// <summary>Sites forgotten in the child's subtree, as its last heartbeat listed them (relayed up in this site's own).</summary>
    public IReadOnlyList<Protocol.ForgottenSite> Forgotten { get; set; } = [];

    /// <summary>The last state map the child reported per mission (namespace, name).</summary>
    internal Dictionary<(string, string), Dictionary<string, string>> Reports { get; } = [];

    /// <summary>
    /// Cancelled when the child is forgotten: every link session it has open ends. Never disposed (it holds no timer or
    /// wait handle), so a session still reading its token during a shutdown never meets a disposed source.
    /// </summary>
    internal CancellationTokenSource Links { get; } = new();
}

/// <summary>A child's link session as the parent admitted it.</summary>
/// <param name="ReportsReceived">The report sequence already held from this incarnation of the child.</param>
/// <param name="Closed">Cancelled when the child is forgotten (<see cref="Downlinks.ForgetAsync"/>): the session must end.</param>
public readonly record struct ChildConnection(long ReportsReceived, CancellationToken Closed);

/// <summary>
/// The parent's side of its links, free of hosting: children, their reports and heartbeats, and the pruner that
/// notices heartbeats that did <em>not</em> arrive and marks the child <c>cluster offline</c>.
/// </summary>
/// <param name="store">This site's store: mission state maps and <c>Site</c> objects are written there.</param>
/// <param name="self">This site.</param>
/// <param name="options">Heartbeat settings and time.</param>
/// <param name="logger">Receives link events.</param>
/// <param name="forgotten">The children forgotten here (<c>DATA/links/forgotten.json</c>); null keeps them in memory only.</param>
/// <param name="known">The children admitted here (<c>DATA/links/children.json</c>); null keeps them in memory only.</param>
/// <param name="index">This site's spec-change index: while it has seen no mission change, this site's mission counts are
/// not counted again (<see cref="OwnMissionCountsAsync"/>); null counts them every time.</param>
public sealed partial class Downlinks(IObjectStore store, LinkSiteInfo self, LinkOptions options, ILogger logger, ForgottenChildren? forgotten = null, KnownChildren? known = null, MissionIndex? index = null) : IDisposable
{
    public void Dispose()
    {
        _writes.Dispose();
        _siteWrites.Dispose();
    }

    /// <summary>How many times per heartbeat interval the pruner looks for a child whose heartbeats stopped.</summary>
    internal const int ChecksPerInterval = 4;

    private long _prunerLooks;

    /// <summary>How many passes <see cref="RunPrunerAsync"/> has finished (tests wait for one after moving fake time).</summary>
    internal long PrunerLooks => Interlocked.Read(ref _prunerLooks);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ChildState> _children = [];
    private readonly SemaphoreSlim _writes = new(1, 1);

    public LinkSiteInfo Self => self;

    public IReadOnlyList<ChildState> Children
    {
        get
        {
            lock (_gate)
            {
                return [.. _children.Values];
            }
        }
    }

    /// <summary>A child said Hello (tests that drive the engine by hand: no certificate to check against forgotten children).</summary>
    public Task<ChildConnection> ConnectAsync(Hello hello, CancellationToken ct) => ConnectAsync(hello, null, ct);

    /// <summary>
    /// A child said Hello with a certificate of this fingerprint: admits it, or throws <see cref="ChildForgottenException"/>
    /// when it was forgotten here. Checked under the same lock a forget records under, so a child is never let in
    /// after its forget was recorded.
    /// </summary>
    public async Task<ChildConnection> ConnectAsync(Hello hello, string? certificateFingerprint, CancellationToken ct)
    {
        ChildState child;
        bool sameIncarnation;
        lock (_gate)
        {
            if (certificateFingerprint is not null && _forgotten.WhyRefused(hello.Path, certificateFingerprint) is { } refusal)
            {
                throw new ChildForgottenException(refusal);
            }

            if (!_children.TryGetValue(hello.Path, out child!))
            {
                child = new ChildState(hello.Name, hello.Path);
                _children[hello.Path] = child;
            }

            sameIncarnation = child.Incarnation == hello.Incarnation;
            if (!sameIncarnation)
            {
                child.Incarnation = hello.Incarnation;
                child.ReportSeq = 0;
                child.Reports.Clear();
            }

            child.Online = true;
            child.SitesShownOffline = false;
            child.AwaitedSince = null;
            child.LastHeartbeat = options.TimeProvider.GetUtcNow();
        }

        // Flushes a file the first time only (or when its tier changed): once in a child's life, and outside the lock
        // heartbeats take. A forget racing with this may leave the child recorded; no start restores a standing forget.
        _known.Record(hello.Name, hello.Path, hello.Tier, options.TimeProvider.GetUtcNow());
        LogChildConnected(hello.Path, hello.ResumeFromParentRv);
        if (sameIncarnation)
        {
            await RestoreReportsAsync(child, ct);
        }

        return new ChildConnection(sameIncarnation ? child.ReportSeq : 0, child.Links.Token);
    }

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
        }

        foreach (var child in toShowOffline)
        {
            foreach (var site in child.Subtree)
            {
                // Each deeper site keeps its own last heartbeat as the child last relayed it: none is newer than that.
                var last = site.Path == child.Path ? child.LastHeartbeat : DateTimeOffset.FromUnixTimeMilliseconds(site.LastHeartbeatUnixMs);
                await WriteSiteAsync(site, healthy: false, last, phase: "Offline", WriteDurability.Durable, ct);
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

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Child {Path} connected (resuming from parent version {Rv})")]
    private partial void LogChildConnected(string path, long rv);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Child {Path} missed {Count} heartbeats: offline")]
    private partial void LogChildOffline(string path, int count);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Child {Path} has not linked within {Count} heartbeats of this site's start: offline")]
    private partial void LogRestoredChildOffline(string path, int count);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Pruner pass failed")]
    private partial void LogPruneFailed(Exception e);

    private readonly ILogger _logger = logger;
}

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
            Phase = phase ?? (healthy ? "Ready" : "Unknown"),
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
            Phase = "Ready",
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
