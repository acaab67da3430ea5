using Fornax.Store;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// Forgetting a child that will never come back (docs/tree.md, "Forgetting a site"). The forget is recorded first,
/// durably, under the lock a connection is admitted under; then the child's sessions end and what this site keeps of
/// its subtree goes: <c>Site</c> objects, mission state keys and the memory of both. Every writer of those checks that
/// the child is still known, under the lock the removal holds, so nothing of it comes back afterwards. Ancestors hear of
/// the forget in heartbeats (<see cref="Protocol.Heartbeat.Forgotten"/>) and drop their <c>Site</c> objects of it; its
/// state keys leave their maps with this site's next reports.
/// </summary>
public sealed partial class Downlinks
{
    private readonly ForgottenChildren _forgotten = forgotten ?? ForgottenChildren.InMemory();

    // Under _gate: forgets relayed from below, (path, when), whose Site objects this process has already dropped.
    private readonly HashSet<(string Path, long At)> _droppedForgets = [];

    /// <summary>The children forgotten at this site.</summary>
    public ForgottenChildren Forgotten => _forgotten;

    /// <summary>
    /// Forgets the direct child at <paramref name="childPath"/> and drops its subtree here (<see cref="DropSubtreeAsync"/>).
    /// </summary>
    /// <param name="name">The child's site name.</param>
    /// <param name="childPath">Its path under this site.</param>
    /// <param name="force">Forget it even while it is linked: its sessions are closed (it then finds itself refused).</param>
    /// <param name="alsoDrop">Other paths its subtree is known by here (its old-tree path while this site moves).</param>
    /// <param name="ct">Cancels the drop; the forget itself is recorded by then and is finished at the next start.</param>
    /// <exception cref="ForgetRefusedException">The child is online and <paramref name="force"/> is false; nothing changed.</exception>
    public async Task<ForgetOutcome> ForgetAsync(string name, string childPath, bool force, IReadOnlyList<string> alsoDrop, CancellationToken ct)
    {
        ChildState? child;
        ForgottenChild entry;
        lock (_gate)
        {
            _children.TryGetValue(childPath, out child);
            if (child is { Online: true } && !force)
            {
                throw new ForgetRefusedException(ForgetRefusal.Online,
                    $"site \"{name}\" is online (linked to {self.Path}): forget only a site that will never come back. Stop it first, "
                    + $"or force it (fornax site forget {name} --force) to close its link and forget it");
            }

            // Recorded (and flushed) under the lock connections are admitted under: no session of it starts after this.
            entry = _forgotten.Record(name, childPath, options.TimeProvider.GetUtcNow());
            _children.Remove(childPath);
            // Tidying only: a start never restores a standing forget, whatever the record of known children says.
            _known.Remove([childPath, .. alsoDrop]);
        }

        var closed = child is { Online: true };
        await (child?.Links.CancelAsync() ?? Task.CompletedTask);
        var dropped = await DropSubtreeAsync([childPath, .. alsoDrop], ct);
        LogChildForgotten(childPath, closed, dropped.Count);
        ChildForgotten?.Invoke(childPath);
        return new ForgetOutcome(entry, closed, dropped);
    }

    /// <summary>
    /// Deletes every <c>Site</c> object at or under one of <paramref name="roots"/> and every mission state key there
    /// (both durable). Idempotent: each start repeats it for every standing forget, which finishes one a crash cut short.
    /// Returns the names of the <c>Site</c> objects deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> DropSubtreeAsync(IReadOnlyList<string> roots, CancellationToken ct)
    {
        var dropped = await DropSitesAsync(roots, ct);
        var missions = await store.ListAsync("Mission", null, ct);
        foreach (var mission in missions.Items)
        {
            if (MissionStatus.States(mission.Object).Keys.Any(k => roots.Any(r => MissionStatus.IsUnder(k, r))))
            {
                await WithWriteGateAsync(() => MissionStatus.RemoveSubtreesAsync(store, mission.Key, roots, ct), ct);
            }
        }

        return dropped;
    }

    /// <summary>Whether a <c>Site</c> of this path may be written: this site, or a site below a child still known here.</summary>
    private bool IsKnown(string path)
    {
        if (path == self.Path || !MissionStatus.IsUnder(path, self.Path))
        {
            return true;
        }

        var slash = path.IndexOf('/', self.Path.Length + 1);
        var childPath = slash < 0 ? path : path[..slash];
        lock (_gate)
        {
            return _children.ContainsKey(childPath);
        }
    }

    /// <summary>Drops the <c>Site</c> objects of forgets a child relayed from its subtree, once per forget and process.</summary>
    private async Task DropRelayedForgetsAsync(IReadOnlyList<Protocol.ForgottenSite> forgotten, CancellationToken ct)
    {
        foreach (var forget in forgotten)
        {
            lock (_gate)
            {
                if (_droppedForgets.Contains((forget.Path, forget.ForgottenAtUnixMs)))
                {
                    continue;
                }
            }

            var dropped = await DropSitesAsync([forget.Path], ct);
            lock (_gate)
            {
                _droppedForgets.Add((forget.Path, forget.ForgottenAtUnixMs));
            }

            if (dropped.Count > 0)
            {
                LogRelayedForgetDropped(forget.Path, dropped.Count);
            }
        }
    }

    private async Task<IReadOnlyList<string>> DropSitesAsync(IReadOnlyList<string> roots, CancellationToken ct)
    {
        bool Dropped(string path) => path != self.Path && roots.Any(r => MissionStatus.IsUnder(path, r));
        List<string> names = [];
        // Under the Site writers' lock: a heartbeat's write either finished before, or finds the child unknown after.
        await _siteWrites.WaitAsync(ct);
        try
        {
            var sites = await store.ListAsync("Site", null, ct);
            foreach (var site in sites.Items)
            {
                if (site.Object["status"]?["path"]?.GetValue<string>() is { } path && Dropped(path))
                {
                    try
                    {
                        await store.DeleteAsync(site.Key, ct: ct);
                        names.Add(site.Key.Name);
                    }
                    catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
                    {
                    }
                }
            }

            foreach (var path in _written.Keys.Where(Dropped).ToList())
            {
                _written.Remove(path);
            }
        }
        finally
        {
            _siteWrites.Release();
        }

        lock (_gate)
        {
            foreach (var path in _heartbeats.Keys.Where(Dropped).ToList())
            {
                _heartbeats.Remove(path);
            }
        }

        return names;
    }

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Child {Path} forgotten (link closed: {LinkClosed}); {Sites} Site objects of its subtree dropped; its certificates are refused from now on")]
    private partial void LogChildForgotten(string path, bool linkClosed, int sites);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "Site {Path} was forgotten below: dropped {Sites} Site objects of its subtree")]
    private partial void LogRelayedForgetDropped(string path, int sites);
}

/// <summary>What a forget did.</summary>
/// <param name="Entry">The forget as recorded.</param>
/// <param name="LinkClosed">The child was linked and its sessions were closed (a forced forget).</param>
/// <param name="DroppedSites">The names of the <c>Site</c> objects deleted here.</param>
public sealed record ForgetOutcome(ForgottenChild Entry, bool LinkClosed, IReadOnlyList<string> DroppedSites);
