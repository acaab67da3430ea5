using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links.Protocol;
using Microsoft.Extensions.Logging;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// A restarted parent knows the children it had before they link again (docs/tree.md, "After a restart of the parent").
/// Without this, a child that stayed away across the restart was unknown here until it said Hello: missions showed no
/// entry for it at all, and state maps kept whatever it last reported, the one gap an operator must see.
/// </summary>
public sealed partial class Downlinks
{
    private readonly KnownChildren _known = known ?? KnownChildren.InMemory();

    /// <summary>The children admitted at this site.</summary>
    public KnownChildren Known => _known;

    /// <summary>
    /// At start, before the pruner runs: every child recorded in <see cref="KnownChildren"/> or with a <c>Site</c> object
    /// here (a data directory from before the record), except standing forgets, is known again, with its subtree as its
    /// <c>Site</c> objects last showed it. It is <em>awaited</em>: not linked, not yet offline. One that has not linked
    /// within <see cref="LinkOptions.MissedHeartbeats"/> heartbeat intervals of this call goes offline at the next pruner
    /// pass (<see cref="PruneAsync(CancellationToken)"/>), exactly as a child whose heartbeats stopped: <c>cluster offline</c> in every
    /// mission, <c>Site</c> objects <c>Offline</c>.
    /// </summary>
    /// <remarks>
    /// Counted from the start, not from the last heartbeat before it: a child reconnects within a heartbeat of its parent
    /// coming back, so counting from before the restart would mark every child of a parent that was down a while offline
    /// (durable writes, per child and mission) only to undo it a moment later. This is what Kubernetes' node lifecycle
    /// controller does with nodes it finds at its start. A mission marked before the restart keeps its durable mark meanwhile.
    /// </remarks>
    /// <param name="move">This site's move, if one is under way: recorded paths of the old tree are known by their new ones.</param>
    /// <param name="ct">Cancels the reading of the store.</param>
    /// <returns>The paths of the children restored (those already linked again are left as they are).</returns>
    public async Task<IReadOnlyList<string>> RestoreChildrenAsync(SiteMove? move, CancellationToken ct)
    {
        var recorded = _known.All;
        var summaries = await SubtreeSites.SummariesAsync(store, move, ct);
        var candidates = new Dictionary<string, KnownChild>(StringComparer.Ordinal);
        foreach (var site in summaries.Where(s => SubtreeSites.IsDirectChild(s.Path, self.Path)))
        {
            var heard = site.LastHeartbeatUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(site.LastHeartbeatUnixMs) : DateTimeOffset.UnixEpoch;
            candidates[site.Path] = new KnownChild(site.Name, site.Path, site.Tier, heard);
        }

        foreach (var child in recorded)
        {
            var path = move?.Rebase(child.Path) ?? child.Path;
            if (SubtreeSites.IsDirectChild(path, self.Path))
            {
                candidates[path] = child with { Path = path };
            }
        }

        var now = options.TimeProvider.GetUtcNow();
        List<string> restored = [];
        lock (_gate)
        {
            // Under the lock a forget records under: a forget while this runs either is seen here or removes the child after.
            foreach (var (path, candidate) in candidates)
            {
                if (IsForgotten(path) || _children.ContainsKey(path))
                {
                    continue; // forgotten, or linked again already (the link listener is up before this runs)
                }

                var subtree = Subtree(path, candidate, summaries);
                _children[path] = new ChildState(candidate.Name, path)
                {
                    AwaitedSince = now,
                    LastHeartbeat = subtree[0].LastHeartbeatUnixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(subtree[0].LastHeartbeatUnixMs) : candidate.Since,
                    Subtree = subtree,
                };
                restored.Add(path);
            }
        }

        // The record says what this start found, so the next one finds it even without the Site objects; recorded paths
        // that are not children here any more go: forgotten, or old-tree paths a move gave new ones.
        foreach (var (path, candidate) in candidates.Where(c => !IsForgotten(c.Key)))
        {
            _known.Record(candidate.Name, path, candidate.Tier, candidate.Since);
        }

        _known.Remove(recorded.Select(c => c.Path).Where(p => !candidates.ContainsKey(p) || IsForgotten(p)).ToList());

        if (restored.Count > 0)
        {
            LogChildrenRestored(restored.Count, string.Join(", ", restored.Order(StringComparer.Ordinal)), options.MissedHeartbeats);
        }

        return restored;
    }

    /// <summary>A standing forget of exactly this path (not joined again since).</summary>
    private bool IsForgotten(string path) => _forgotten.Find(path) is { IsReadmitted: false };

    /// <summary>
    /// The child's subtree as its <c>Site</c> objects show it, the child first (as in a heartbeat). A child whose own
    /// <c>Site</c> is gone (deleted by hand, or a relaxed write an OS crash lost) is shown from its record.
    /// </summary>
    private List<SiteSummary> Subtree(string childPath, KnownChild child, IReadOnlyList<SiteSummary> summaries)
    {
        var own = summaries.FirstOrDefault(s => s.Path == childPath) ?? new SiteSummary
        {
            Name = child.Name,
            Path = childPath,
            Parent = self.Name,
            Tier = child.Tier,
            LastHeartbeatUnixMs = child.Since.ToUnixTimeMilliseconds(),
        };
        return [own, .. summaries.Where(s => s.Path != childPath && MissionStatus.IsUnder(s.Path, childPath)).OrderBy(s => s.Path, StringComparer.Ordinal)];
    }

    [LoggerMessage(EventId = 306, Level = LogLevel.Information, Message = "Knows {Count} children from before this start, not linked yet ({Paths}); offline unless they link within {Missed} heartbeats")]
    private partial void LogChildrenRestored(int count, string paths, int missed);
}
