using Fornax.Hierarchy.Links;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fornax.Node.Portal;

/// <summary>Wires the portal engine into a site: its options, the service map, this site's own announcement, and the map's exchange over the links.</summary>
public static class PortalHostingExtensions
{
    public static IServiceCollection AddFornaxPortal(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new PortalOptions(sp.GetRequiredService<LocalSite>().Path)
        {
            TimeProvider = sp.GetRequiredService<NodeOptions>().TimeProvider,
            RequestTimeout = sp.GetRequiredService<NodeOptions>().PortalRequestTimeout,
            // Long enough for the new site to deploy the backend and announce it (one heartbeat) and for the announcement to travel.
            RouteSettleTime = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, sp.GetRequiredService<NodeOptions>().HeartbeatInterval.Ticks * 3)),
            ConnectToPeer = sp.GetRequiredService<NodeOptions>().PortalConnect,
            TcpIdleTimeout = sp.GetRequiredService<NodeOptions>().PortalTcpIdleTimeout,
        });
        services.TryAddSingleton(sp => ServiceMaps.Create(sp.GetRequiredService<PortalOptions>()));
        services.TryAddSingleton<IPortalMapExchange, PortalMapExchange>();
        // Latency along the tree: each site announces its own uplink's measured round trip.
        services.TryAddSingleton(sp =>
        {
            var map = sp.GetRequiredService<IServiceMap>();
            var options = sp.GetRequiredService<PortalOptions>();
            return new RoutePlanner(map, options, to => TreeLatency.Between(map, options.SitePath, to, options.UnmeasuredHopCost));
        });
        services.TryAddSingleton<ServiceCatalog>();
        services.AddHostedService(sp => sp.GetRequiredService<ServiceCatalog>());
        services.TryAddSingleton<LocalBackends>();
        services.TryAddSingleton<CallerNamespaces>();
        services.TryAddSingleton<PortalClients>();
        services.TryAddSingleton<PeerPortals>();
        services.TryAddSingleton<PeerTunnels>();
        services.TryAddSingleton<MovingServices>();
        services.TryAddSingleton<PortalIngress>();
        services.TryAddSingleton<PortalPeerEndpoint>();
        services.TryAddSingleton<PortalTcpIngress>();
        services.TryAddSingleton<PortalTcpPeerEndpoint>();
        services.AddHostedService<PortalOfflineWatch>();
        services.TryAddSingleton<LocalServiceAnnouncer>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalServiceAnnouncer>());
        return services;
    }
}
