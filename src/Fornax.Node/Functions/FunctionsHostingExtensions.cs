using System.Diagnostics.Metrics;
using Fornax.Functions;
using Fornax.Node.Api;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Fornax.Node.Functions;

/// <summary>Wires the Wasm engine into a site: runtime, registry, admission, ingress and stats.</summary>
public static class FunctionsHostingExtensions
{
    /// <summary>The compile cache, inside the site's data directory (deserialized code must come from a trusted place).</summary>
    public const string CacheDirectoryName = "wasm-cache";

    public static IServiceCollection AddFornaxFunctions(this IServiceCollection services)
    {
        // The engine itself is made on first use (SiteFunctionRuntime says why): a site that never runs a function
        // never pays for one.
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<NodeOptions>();
            return new SiteFunctionRuntime(new FunctionRuntimeOptions
            {
                CacheDirectory = Path.Combine(options.DataDirectory, CacheDirectoryName),
                SiteName = options.Name,
                TimeProvider = options.TimeProvider,
                MeterFactory = sp.GetService<IMeterFactory>(),
                State = sp.GetService<Fornax.Functions.State.IFunctionStateStore>(),
            });
        });
        services.TryAddSingleton<FunctionRegistry>();
        services.TryAddSingleton<FunctionIngress>();
        services.TryAddSingleton<OnDemandFunctions>();
        services.AddHostedService(sp => sp.GetRequiredService<FunctionRegistry>());
        services.AddHostedService(sp => sp.GetRequiredService<OnDemandFunctions>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAdmissionCheck, FunctionAdmissionCheck>());
        return services;
    }

    /// <summary>Maps <c>/fn/{name}/{**rest}</c> (ingress) and <c>GET /api/functions/stats</c> (API).</summary>
    public static IEndpointRouteBuilder MapFornaxFunctions(this IEndpointRouteBuilder app)
    {
        FunctionIngress.Map(app);
        FunctionStatsEndpoint.Map(app);
        return app;
    }
}
