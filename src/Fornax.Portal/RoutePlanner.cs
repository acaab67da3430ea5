namespace Fornax.Portal;

/// <summary>
/// Orders the sites serving a service for one request: this site first, then the others by measured link latency along
/// the tree (the sum over the links between the two sites), sites in other trees never, offline sites never.
/// </summary>
public sealed class RoutePlanner(IServiceMap map, PortalOptions options, Func<string, TimeSpan?> measuredLatencyTo)
{
    public RoutePlan Plan(ServiceKey service)
    {
        var candidates = new List<RouteCandidate>();
        var offline = new List<string>();
        foreach (var site in map.SitesServing(service))
        {
            var hops = TreePaths.Hops(options.SitePath, site.SitePath);
            if (hops < 0)
            {
                continue;
            }

            if (!site.Healthy)
            {
                offline.Add(site.SitePath);
                continue;
            }

            var local = hops == 0;
            var cost = local ? TimeSpan.Zero : measuredLatencyTo(site.SitePath) ?? options.UnmeasuredHopCost * hops;
            candidates.Add(new RouteCandidate(site, local, Direct: !local && site.PortalAddress.Length > 0,
                TreePaths.CommonAncestor(options.SitePath, site.SitePath), cost));
        }

        candidates.Sort(Nearest);
        return new RoutePlan(service, candidates, offline);
    }

    /// <summary>This site first, then by cost; ties by site path, so equal sites are tried in the same order everywhere.</summary>
    private static int Nearest(RouteCandidate x, RouteCandidate y) =>
        x.Local != y.Local ? (x.Local ? -1 : 1)
        : x.Cost != y.Cost ? x.Cost.CompareTo(y.Cost)
        : string.CompareOrdinal(x.Site.SitePath, y.Site.SitePath);
}
