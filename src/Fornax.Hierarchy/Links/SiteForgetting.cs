using Fornax.Hierarchy.Identity;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// <c>fornax site forget NAME</c> at a parent (docs/tree.md, "Forgetting a site"): finds the site by name, refuses
/// anything but a direct child, forgets it (<see cref="Downlinks.ForgetAsync"/>) and releases a move that was waiting for
/// it. <see cref="ResumeAsync"/> at each start finishes a forget that a crash cut short after it was recorded.
/// </summary>
public sealed class SiteForgetting(IObjectStore store, Downlinks downlinks, SiteIdentity identity)
{
    /// <exception cref="ForgetRefusedException">Not a direct child, not known here, or online without <paramref name="force"/>; nothing changed.</exception>
    public async Task<ForgetOutcome> ForgetAsync(string name, bool force, CancellationToken ct)
    {
        var self = downlinks.Self;
        if (name == self.Name)
        {
            throw new ForgetRefusedException(ForgetRefusal.NotADirectChild, self.ParentPath is { } parent
                ? $"site \"{name}\" is this site ({self.Path}): forget it at its parent, {parent}"
                : $"site \"{name}\" is this site, the root of the tree: it has no parent to forget it");
        }

        var childPath = $"{self.Path}/{name}";
        var move = identity.Move;
        var known = await KnownPathsAsync(move, ct);
        var direct = downlinks.Children.Any(c => c.Path == childPath)
            || known.GetValueOrDefault(name) == childPath
            || move?.PendingChildren.Contains(name) == true;
        if (!direct)
        {
            if (known.TryGetValue(name, out var deeper) && MissionStatus.IsUnder(deeper, self.Path))
            {
                throw new ForgetRefusedException(ForgetRefusal.NotADirectChild,
                    $"site \"{name}\" is not a child of {self.Path}: it is at {deeper}. Forget it at its parent, {deeper[..deeper.LastIndexOf('/')]}");
            }

            throw new ForgetRefusedException(ForgetRefusal.NotFound, downlinks.Forgotten.Find(childPath) is { IsReadmitted: false } already
                ? $"site \"{name}\" was already forgotten at {self.Path} ({already.ForgottenAt:u})"
                : $"site \"{name}\" is not a child of {self.Path}");
        }

        // While this site moves, what it keeps of an unmoved child may still carry the child's old path.
        IReadOnlyList<string> alsoDrop = move?.Unrebase(childPath) is { } old && old != childPath ? [old] : [];
        var outcome = await downlinks.ForgetAsync(name, childPath, force, alsoDrop, ct);
        identity.ChildForgotten(name);
        return outcome;
    }

    /// <summary>
    /// At start, before the links run: drops again the subtree of every standing forget and releases a move that waits
    /// for one. Idempotent, so a crash anywhere between the record of a forget and the end of its drop is finished here.
    /// </summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        var standing = downlinks.Forgotten.Standing;
        if (standing.Count == 0)
        {
            return;
        }

        var move = identity.Move;
        var roots = standing.SelectMany(f => new[] { f.Path, move?.Rebase(f.Path), move?.Unrebase(f.Path) }).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        await downlinks.DropSubtreeAsync(roots, ct);
        foreach (var forget in standing)
        {
            identity.ChildForgotten(forget.Name);
        }
    }

    /// <summary>Where each site this site knows of is, by name: its <c>Site</c> objects (current paths) and its children's live subtrees.</summary>
    private async Task<Dictionary<string, string>> KnownPathsAsync(SiteMove? move, CancellationToken ct)
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var site in (await store.ListAsync("Site", null, ct)).Items)
        {
            if (site.Object["status"]?["path"]?.GetValue<string>() is { } path)
            {
                known[site.Key.Name] = move?.Rebase(path) ?? path;
            }
        }

        foreach (var site in downlinks.Children.SelectMany(c => c.Subtree))
        {
            known[site.Name] = site.Path;
        }

        return known;
    }
}
