using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// What the link carries for the edge portal: each site's part of the service map travels up to the parent with the
/// heartbeats and reports, and the parent's map travels down to each child beside the missions. The link knows only the
/// messages; the portal (wired by the node) knows the map. Each stream starts from version 0 (everything once) and then
/// sends only what changed.
/// </summary>
public interface IPortalMapExchange
{
    /// <summary>The map's current version; raised by every change.</summary>
    long Version { get; }

    /// <summary>Completes once <see cref="Version"/> is above <paramref name="version"/>.</summary>
    Task WaitForChangeAsync(long version, CancellationToken ct);

    /// <summary>For the parent: the changes after <paramref name="since"/> of sites at or under this site; null when none.</summary>
    PortalMap? ForParent(long since, out long upTo);

    /// <summary>For a child: the changes after <paramref name="since"/> of sites outside <paramref name="childPath"/>'s subtree; null when none.</summary>
    PortalMap? ForChild(string childPath, long since, out long upTo);

    /// <summary>From the parent: takes what it says about sites outside this site's subtree.</summary>
    void FromParent(PortalMap map);

    /// <summary>From a child: takes what it says about sites of its own subtree.</summary>
    void FromChild(string childPath, PortalMap map);

    /// <summary>The child stopped sending heartbeats: every site of its subtree is unhealthy until it is heard again.</summary>
    void ChildOffline(string childPath);

    /// <summary>The child is heard again: each site of its subtree takes the health its heartbeat gives it.</summary>
    void ChildOnline(string childPath, IReadOnlyDictionary<string, bool> subtreeHealth);
}
