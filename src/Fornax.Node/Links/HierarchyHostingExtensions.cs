using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links;
using Fornax.Node.Hosting;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using LinkOptions = Fornax.Hierarchy.Links.LinkOptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Links;

/// <summary>What a site knows about its place in the tree once its identity is resolved (see <see cref="SiteStartup"/>).</summary>
public sealed record HierarchySetup(
    IObjectStore Store,
    SiteIdentity Identity,
    TreeCertificateAuthority? Ca,
    ParentInfo? Parent,
    LinkSiteInfo Self,
    LinkOptions Options,
    PkiOptions Pki,
    string DataDirectory);

/// <summary>Wires the tree engine into a site: identity, the mission index, the downlinks and (at a joined site) the uplink.</summary>
public static class HierarchyHostingExtensions
{
    public static IServiceCollection AddFornaxHierarchy(this IServiceCollection services, HierarchySetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var (store, identity, ca, parent, self, options, pki, dataDirectory) = setup;
        services.TryAddSingleton(identity);
        services.TryAddSingleton(self);
        services.TryAddSingleton(options);
        services.TryAddSingleton(JoinTokenIssuer.ForSite(pki));
        services.TryAddSingleton(new UplinkRoute());
        services.TryAddSingleton(sp => new MissionIndex(store, dataDirectory, sp.GetRequiredService<ILoggerFactory>().CreateLogger<MissionIndex>()));
        services.TryAddSingleton(sp => new Downlinks(store, self, options, sp.GetRequiredService<ILoggerFactory>().CreateLogger<Downlinks>(),
            ForgottenChildren.Open(dataDirectory), KnownChildren.Open(dataDirectory), sp.GetRequiredService<MissionIndex>()));
        services.TryAddSingleton(sp => new SiteForgetting(store, sp.GetRequiredService<Downlinks>(), identity));
        if (parent is not null)
        {
            // Only a joined site has an uplink; a root has none registered (not a null one), so asking for it fails loudly.
            services.TryAddSingleton(sp => new Uplink(
                store, sp.GetRequiredService<IBlobStore>(), self, identity, options, dataDirectory, parent.Link,
                sp.GetRequiredService<UplinkRoute>().RouteAsync, sp.GetRequiredService<Downlinks>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<Uplink>())
            {
                PortalMaps = sp.GetService<IPortalMapExchange>(),
                KvFigures = sp.GetService<IKvFiguresExchange>(),
                Loads = sp.GetService<ILoadExchange>(),
            });
        }

        services.TryAddSingleton<ISiteCertificateSigner>(sp => ca is not null ? new CaSigner(ca, store) : new UplinkSigner(sp.GetRequiredService<Uplink>()));
        services.TryAddSingleton(sp => new LinkRunner(self, sp.GetRequiredService<MissionIndex>(), sp.GetRequiredService<Downlinks>(), sp.GetService<Uplink>()));
        services.AddGrpc();
        return services;
    }

    /// <summary>Maps the link's gRPC service on the link listener (mutual TLS) only.</summary>
    public static IEndpointRouteBuilder MapFornaxLinks(this IEndpointRouteBuilder app)
    {
        app.MapGrpcService<LinkService>().WithMetadata(new ListenerMetadata(Listeners.Link));
        return app;
    }
}
