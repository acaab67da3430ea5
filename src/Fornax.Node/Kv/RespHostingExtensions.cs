using Fornax.Kv.Engine;
using Fornax.Kv.Resp;
using Fornax.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Kv;

/// <summary>Wires the RESP server (the Redis protocol on the site's RESP port) over the site's <see cref="IKvStore"/>.</summary>
public static class RespHostingExtensions
{
    public static IServiceCollection AddFornaxResp(this IServiceCollection services)
    {
        services.TryAddSingleton<IRespAuthenticator, SiteRespAuthenticator>();
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<NodeOptions>();
            return RespServerFactory.Create(
                new RespServerOptions
                {
                    SiteName = options.Name,
                    MaxBulkBytes = options.RespMaxBulkBytes,
                    TimeProvider = options.TimeProvider,
                    Random = options.Random,
                },
                sp.GetRequiredService<IKvStore>(),
                sp.GetRequiredService<IRespAuthenticator>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Fornax.Kv.Resp"));
        });
        services.TryAddSingleton<RespConnectionHandler>();
        return services;
    }

    /// <summary>True when the site has a KV store to serve; without one the RESP port is neither bound nor advertised.</summary>
    public static bool HasKvStore(this IServiceCollection services) => services.Any(d => d.ServiceType == typeof(IKvStore));
}
