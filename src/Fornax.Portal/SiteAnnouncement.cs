namespace Fornax.Portal;

/// <summary>
/// What one site tells the tree about its portal: where peers reach it and which services it serves there.
/// <paramref name="Version"/> is the announcing site's own counter, raised on every change, so an announcement
/// that arrives late (by another path, or replayed after a reconnect) never overwrites a newer one.
/// </summary>
/// <param name="SitePath">The announcing site.</param>
/// <param name="PortalAddress">The <c>host:port</c> other portals dial directly; empty when the site is not reachable directly.</param>
/// <param name="Version">The announcing site's counter; it never goes back, across restarts too.</param>
/// <param name="Services">The services the site serves at its portal.</param>
public sealed record SiteAnnouncement(string SitePath, string PortalAddress, long Version, IReadOnlySet<ServiceKey> Services)
{
    /// <summary>The measured round trip of the announcing site's link to its parent (damped); null when not measured.</summary>
    public TimeSpan? UplinkLatency { get; init; }

    public bool SameContentAs(SiteAnnouncement other) =>
        PortalAddress == other.PortalAddress && UplinkLatency == other.UplinkLatency && Services.SetEquals(other.Services);
}
