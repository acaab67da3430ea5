using Fornax.Hierarchy.Identity;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>What a site knows of its subtree from its <c>Site</c> objects (written from heartbeats, so it survives restarts).</summary>
public static class SubtreeSites
{
    /// <summary>The paths of every site strictly below <paramref name="root"/> that the store has a <c>Site</c> object for.</summary>
    public static async Task<IReadOnlyList<string>> PathsUnderAsync(IObjectStore store, string root, CancellationToken ct)
    {
        var sites = await store.ListAsync("Site", null, ct);
        return [.. sites.Items
            .Select(s => s.Object["status"]?["path"]?.GetValue<string>())
            .OfType<string>()
            .Where(p => p != root && SiteMove.IsAtOrUnder(p, root))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The names of the direct children of <paramref name="root"/> among <paramref name="paths"/>.</summary>
    public static IReadOnlyList<string> DirectChildren(IEnumerable<string> paths, string root) =>
        [.. paths.Where(p => p.Length > root.Length + 1 && p.StartsWith(root + "/", StringComparison.Ordinal) && !p[(root.Length + 1)..].Contains('/'))
            .Select(p => p[(root.Length + 1)..])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
}
