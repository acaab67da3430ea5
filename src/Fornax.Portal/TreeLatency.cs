namespace Fornax.Portal;

/// <summary>
/// The latency between two sites along the tree: the sum of the links' round trips up from each site to their lowest
/// common ancestor, as each site announces its own uplink's; a link nobody measured costs
/// <see cref="PortalOptions.UnmeasuredHopCost"/>.
/// </summary>
public static class TreeLatency
{
    /// <summary>Null across trees.</summary>
    public static TimeSpan? Between(IServiceMap map, string from, string to, TimeSpan unmeasuredHopCost)
    {
        var ancestor = TreePaths.CommonAncestor(from, to);
        if (ancestor.Length == 0)
        {
            return null;
        }

        return UpTo(map, from, ancestor, unmeasuredHopCost) + UpTo(map, to, ancestor, unmeasuredHopCost);
    }

    private static TimeSpan UpTo(IServiceMap map, string path, string ancestor, TimeSpan unmeasuredHopCost)
    {
        var total = TimeSpan.Zero;
        while (path.Length > ancestor.Length)
        {
            total += map.UplinkLatency(path) ?? unmeasuredHopCost;
            path = path[..path.LastIndexOf('/')];
        }

        return total;
    }
}
