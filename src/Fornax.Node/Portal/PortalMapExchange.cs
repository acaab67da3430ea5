using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Node.Sites;
using Fornax.Portal;

namespace Fornax.Node.Portal;

/// <summary>
/// The service map on the link: a site speaks for its own subtree going up, its parent for everything else coming down.
/// What a peer says outside its part is dropped, so a child cannot announce services for a sibling, and a parent cannot
/// overwrite what this site's own subtree says (which also stops an announcement from echoing back the way it came).
/// </summary>
internal sealed class PortalMapExchange(IServiceMap map, LocalSite site) : IPortalMapExchange
{
    public long Version => map.Version;

    public Task WaitForChangeAsync(long version, CancellationToken ct) => map.WaitForChangeAsync(version, ct);

    public PortalMap? ForParent(long since, out long upTo) => Changes(since, path => TreePaths.IsAtOrUnder(path, site.Path), out upTo);

    public PortalMap? ForChild(string childPath, long since, out long upTo) =>
        Changes(since, path => !TreePaths.IsAtOrUnder(path, childPath), out upTo);

    public void FromParent(PortalMap portal) => map.Apply(PortalMaps.ToDelta(portal, path => !TreePaths.IsAtOrUnder(path, site.Path)));

    public void FromChild(string childPath, PortalMap portal) => map.Apply(PortalMaps.ToDelta(portal, path => TreePaths.IsAtOrUnder(path, childPath)));

    public void ChildOffline(string childPath)
    {
        foreach (var announcement in map.ChangesSince(0).Announced.Where(a => TreePaths.IsAtOrUnder(a.SitePath, childPath)))
        {
            map.SetHealth(announcement.SitePath, healthy: false);
        }
    }

    public void ChildOnline(string childPath, IReadOnlyDictionary<string, bool> subtreeHealth)
    {
        foreach (var (path, healthy) in subtreeHealth.Where(h => TreePaths.IsAtOrUnder(h.Key, childPath)))
        {
            map.SetHealth(path, healthy);
        }
    }

    private PortalMap? Changes(long since, Func<string, bool> about, out long upTo)
    {
        var delta = map.ChangesSince(since);
        upTo = delta.ToVersion;
        var portal = PortalMaps.FromDelta(delta, about);
        return portal.Announced.Count == 0 && portal.Health.Count == 0 && portal.Removed.Count == 0 ? null : portal;
    }
}
