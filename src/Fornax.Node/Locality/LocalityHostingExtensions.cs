using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Scheduling.Locality;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fornax.Node.Locality;

/// <summary>
/// Wires data locality into a site (after the KV store and the scheduler): the holdings, the sizes seen, the advisor and
/// its promoter, the locality-aware state store functions use, and the read of a key for other sites on the link port.
/// </summary>
public static class LocalityHostingExtensions
{
    public static IServiceCollection AddFornaxLocality(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var node = sp.GetRequiredService<NodeOptions>();
            var options = new LocalityOptions { TimeProvider = node.TimeProvider };
            options = node.ConfigureLocality?.Invoke(options) ?? options;
            options.Validate();
            return options;
        });
        services.TryAddSingleton<KeyspaceHoldings>();
        services.TryAddSingleton(sp => new SizeBook(sp.GetRequiredService<LocalityOptions>()));
        services.TryAddSingleton(sp => new ReplicaAdvisor(sp.GetRequiredService<LocalityOptions>()));
        services.TryAddSingleton<KvFunctionState>();
        services.TryAddSingleton<RemoteKeyReader>();
        services.TryAddSingleton<RemoteKeyReadEndpoint>();
        services.TryAddSingleton<LocalityRouter>();
        services.TryAddSingleton<ReplicaPromoter>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicaPromoter>());
        services.TryAddSingleton<Fornax.Functions.State.IFunctionStateStore, LocalityFunctionState>();
        return services;
    }

    public static IEndpointRouteBuilder MapFornaxLocality(this IEndpointRouteBuilder app)
    {
        var reads = app.ServiceProvider.GetRequiredService<RemoteKeyReadEndpoint>();
        app.MapPost(RemoteKeyReads.Route, reads.HandleAsync).WithMetadata(new ListenerMetadata(Listeners.Link)).WithDisplayName("kv read for a peer");
        return app;
    }
}
