using System.Net;
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
        return services;
    }

    /// <summary>Serves the RESP server on its own listening socket at <paramref name="endpoint"/>, started and stopped with the site.</summary>
    public static IServiceCollection AddFornaxRespPort(this IServiceCollection services, Listeners listeners, IPEndPoint endpoint) =>
        services.AddHostedService(sp => new RespPortService(sp.GetRequiredService<IRespServer>(), listeners, endpoint));

    /// <summary>True when the site has a KV store to serve; without one the RESP port is neither bound nor advertised.</summary>
    public static bool HasKvStore(this IServiceCollection services) => services.Any(d => d.ServiceType == typeof(IKvStore));
}
