using Fornax.Hierarchy.Links.Protocol;
using Fornax.Portal;

namespace Fornax.Node.Portal;

/// <summary>Service map changes to and from their link messages, keeping only the sites a filter allows.</summary>
internal static class PortalMaps
{
    public static PortalMap FromDelta(ServiceMapDelta delta, Func<string, bool> about)
    {
        var portal = new PortalMap();
        foreach (var announcement in delta.Announced.Where(a => about(a.SitePath)))
        {
            var site = new PortalSite
            {
                Path = announcement.SitePath,
                PortalAddress = announcement.PortalAddress,
                Version = announcement.Version,
                UplinkRttMicros = announcement.UplinkLatency is { } latency ? Math.Max(1, latency.Ticks / TimeSpan.TicksPerMicrosecond) : 0,
            };
            site.Services.Add(announcement.Services.Select(s => s.ToString()).Order(StringComparer.Ordinal));
            portal.Announced.Add(site);
        }

        portal.Health.Add(delta.HealthChanged.Where(h => about(h.Key)).ToDictionary());
        portal.Removed.Add(delta.Removed.Where(about));
        return portal;
    }

    /// <summary>A peer's message as changes to apply; entries outside <paramref name="about"/> and malformed service names are dropped.</summary>
    public static ServiceMapDelta ToDelta(PortalMap portal, Func<string, bool> about)
    {
        var announced = portal.Announced.Where(s => about(s.Path))
            .Select(s => new SiteAnnouncement(s.Path, s.PortalAddress, s.Version, s.Services.Select(Parse).OfType<ServiceKey>().ToHashSet())
            {
                // A hostile or broken peer's figure is clamped: an hour is no link's round trip.
                UplinkLatency = s.UplinkRttMicros > 0 ? TimeSpan.FromMicroseconds(Math.Min(s.UplinkRttMicros, 3_600_000_000L)) : null,
            })
            .ToList();
        var health = portal.Health.Where(h => about(h.Key)).ToDictionary(StringComparer.Ordinal);
        return new ServiceMapDelta(0, 0, announced, health, portal.Removed.Where(about).ToList());
    }

    private static ServiceKey? Parse(string service) =>
        service.Split('/') is [{ Length: > 0 } ns, { Length: > 0 } name] ? new ServiceKey(ns, name) : null;
}
