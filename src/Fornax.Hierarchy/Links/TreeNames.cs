using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// Site names are unique in a tree, not only among siblings: each level keeps one <c>Site</c> object per site of its
/// subtree, named by the site's name, and placements may name sites. A join or an attachment that would give a name
/// a second place in the tree is refused, naming both places.
/// </summary>
public static class TreeNames
{
    /// <summary>
    /// An error naming the first site of <paramref name="paths"/> whose name the store's <c>Site</c> objects (this
    /// site's subtree; the whole tree at the root) already place at another path, or whose name appears twice in
    /// <paramref name="paths"/>; null when every name is free or already at that very path (a site joining again).
    /// </summary>
    public static async Task<string?> FindCollisionAsync(IObjectStore store, IReadOnlyList<string> paths, CancellationToken ct)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var name = path.Split('/')[^1];
            if (!seen.TryAdd(name, path))
            {
                return $"site name \"{name}\" appears twice in the joining subtree, at {seen[name]} and {path}; site names must be unique in a tree";
            }
        }

        var sites = await store.ListAsync("Site", null, ct);
        foreach (var site in sites.Items)
        {
            var existing = site.Object["status"]?["path"]?.GetValue<string>();
            if (existing is not null && seen.TryGetValue(site.Key.Name, out var wanted) && wanted != existing)
            {
                var gone = existing.Contains('/')
                    ? $"forget it at its parent with `fornax site forget {site.Key.Name} --site {existing.Split('/')[^2]}`"
                    : "it is the root of this tree and cannot be forgotten";
                return $"site name \"{site.Key.Name}\" is already used at {existing}; the joining site would be {wanted}. "
                    + $"Site names must be unique in a tree: rename one of them (or, if the site at {existing} is gone for good, {gone})";
            }
        }

        return null;
    }
}
