using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// Paths during a move: what a child that still holds an old-tree certificate sends (heartbeat subtrees, report keys)
/// is rewritten to the new paths at the link, so everything above sees only new paths; and a moved site rewrites the
/// state keys in its own store once, at start.
/// </summary>
public static class MoveRebase
{
    public static Heartbeat Heartbeat(SiteMove move, Heartbeat heartbeat)
    {
        var copy = heartbeat.Clone();
        foreach (var site in copy.Subtree)
        {
            site.Path = move.Rebase(site.Path) ?? site.Path;
        }

        foreach (var forget in copy.Forgotten)
        {
            forget.Path = move.Rebase(forget.Path) ?? forget.Path;
        }

        return copy;
    }

    public static MissionStateReport Report(SiteMove move, MissionStateReport report)
    {
        var copy = report.Clone();
        copy.States.Clear();
        foreach (var (path, state) in report.States)
        {
            copy.States[move.Rebase(path) ?? path] = state;
        }

        return copy;
    }

    /// <summary>Renames every mission state key at or under the old path to the new path (idempotent).</summary>
    public static async Task RebaseStatesAsync(IObjectStore store, SiteMove move, CancellationToken ct)
    {
        var missions = await store.ListAsync("Mission", null, ct);
        foreach (var mission in missions.Items)
        {
            // Durable: a step of the move, which must not be undone once the site has switched identity.
            await MissionStatus.EditAsync(store, mission.Key, WriteDurability.Durable, states =>
            {
                var old = states.Select(s => s.Key).Where(k => move.Rebase(k) is not null).ToList();
                foreach (var path in old)
                {
                    var value = states[path]?.DeepClone();
                    states.Remove(path);
                    states[move.Rebase(path)!] = value;
                }

                return old.Count > 0;
            }, ct);
        }
    }
}
