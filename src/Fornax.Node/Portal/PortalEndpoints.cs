using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Portal;

/// <summary>Maps the portal: <c>/svc/...</c> and <c>/tcp/...</c> (tunnels) on the ingress listener for clients, <c>/portal/svc/...</c> and <c>/portal/tcp/...</c> on the link listener for peer portals,
/// <c>/api/services</c> on the API listener.</summary>
public static class PortalEndpoints
{
    public static IEndpointRouteBuilder MapFornaxPortal(this IEndpointRouteBuilder app)
    {
        var ingress = app.ServiceProvider.GetRequiredService<PortalIngress>();
        app.Map(PortalIngress.Route, ingress.HandleAsync).WithMetadata(new ListenerMetadata(Listeners.Ingress)).WithDisplayName("service ingress");
        var peer = app.ServiceProvider.GetRequiredService<PortalPeerEndpoint>();
        app.Map(PortalPeerEndpoint.Route, peer.HandleAsync).WithMetadata(new ListenerMetadata(Listeners.Link)).WithDisplayName("portal peer");
        var tcp = app.ServiceProvider.GetRequiredService<PortalTcpIngress>();
        app.MapGet(PortalTcpIngress.Route, tcp.HandleAsync).WithMetadata(new ListenerMetadata(Listeners.Ingress)).WithDisplayName("tcp tunnel ingress");
        var tcpPeer = app.ServiceProvider.GetRequiredService<PortalTcpPeerEndpoint>();
        app.MapPost(PortalTcpPeerEndpoint.Route, tcpPeer.HandleAsync).WithMetadata(new ListenerMetadata(Listeners.Link)).WithDisplayName("tcp tunnel peer");
        PortalServicesEndpoint.Map(app);
        return app;
    }
}
