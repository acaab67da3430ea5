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

        var ordered = candidates.OrderBy(c => c.Local ? 0 : 1).ThenBy(c => c.Cost).ThenBy(c => c.Site.SitePath, StringComparer.Ordinal).ToList();
        return new RoutePlan(service, ordered, offline);
    }
}
