namespace Fornax.Portal;

/// <summary>
/// Service → the sites serving it, and their health, built from what each site announces. Every change raises
/// <see cref="Version"/>; <see cref="ChangesSince"/> gives the changes after a version, which is what travels
/// down the tree. Thread-safe.
/// </summary>
public interface IServiceMap
{
    /// <summary>Raised by every change this map accepts; 0 for an empty map.</summary>
    long Version { get; }

    /// <summary>Completes once <see cref="Version"/> is above <paramref name="version"/>.</summary>
    Task WaitForChangeAsync(long version, CancellationToken ct);

    /// <summary>Takes a site's announcement; false when it is stale (an older or equal version) or changes nothing.</summary>
    bool Announce(SiteAnnouncement announcement);

    /// <summary>Marks a site online or offline (the link's heartbeat says); false when the map did not know the site or nothing changed.</summary>
    bool SetHealth(string sitePath, bool healthy);

    /// <summary>Forgets a site and every site under it (a site forgotten or moved); false when none was known.</summary>
    bool Remove(string sitePath);

    /// <summary>Applies changes received from the parent; returns whether anything changed here.</summary>
    bool Apply(ServiceMapDelta delta);

    /// <summary>The changes after <paramref name="version"/> (0: everything), newest announcement of each site.</summary>
    ServiceMapDelta ChangesSince(long version);

    /// <summary>The sites serving <paramref name="service"/>, healthy or not, in path order.</summary>
    IReadOnlyList<ServiceSite> SitesServing(ServiceKey service);

    /// <summary>What the map knows of one site (its portal address and health, services aside); null when it does not know it.</summary>
    ServiceSite? Site(string sitePath);

    /// <summary>The round trip a site announced for its link to its parent; null when unknown or unmeasured.</summary>
    TimeSpan? UplinkLatency(string sitePath);

    /// <summary>Every service some site announces, in order.</summary>
    IReadOnlyList<ServiceKey> Services { get; }
}
