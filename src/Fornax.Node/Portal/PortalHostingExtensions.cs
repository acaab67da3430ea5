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
            TcpIdleTimeout = sp.GetRequiredService<NodeOptions>().PortalTcpIdleTimeout,
        });
        services.TryAddSingleton(sp => ServiceMaps.Create(sp.GetRequiredService<PortalOptions>()));
        services.TryAddSingleton<IPortalMapExchange, PortalMapExchange>();
        // Latency along the tree is not measured per link yet: every hop costs PortalOptions.UnmeasuredHopCost.
        services.TryAddSingleton(sp => new RoutePlanner(sp.GetRequiredService<IServiceMap>(), sp.GetRequiredService<PortalOptions>(), _ => null));
        services.TryAddSingleton<LocalBackends>();
        services.TryAddSingleton<PortalClients>();
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
