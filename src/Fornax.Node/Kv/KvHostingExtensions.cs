using Fornax.Hierarchy.Links;
using Fornax.Kv.Engine;
using Fornax.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Kv;

/// <summary>Wires the edge KV store into a site: one <see cref="IKvStore"/> on the site's data directory.</summary>
public static class KvHostingExtensions
{
    /// <summary>The store's folder inside the site's data directory.</summary>
    public const string DirectoryName = "kv";

    /// <summary>
    /// Registers the site's store (opened when the site first needs it: <see cref="SiteKvStore"/>; disposed with the
    /// container, i.e. after the listeners stopped, so no connection runs a transaction on a closed store).
    /// </summary>
    public static IServiceCollection AddFornaxKv(this IServiceCollection services)
    {
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<NodeOptions>();
            var storeOptions = new KvStoreOptions
            {
                DataDirectory = Path.Combine(options.DataDirectory, DirectoryName),
                SiteId = options.Name,
                Durability = KvStoreOptions.ParseDurability(options.Durability),
                TimeProvider = options.TimeProvider,
                Random = options.Random,
            };
            var downlinks = sp.GetService<Downlinks>();
            var forgottenStores = new ForgottenKvStores(options.DataDirectory);
            return new SiteKvStore(storeOptions.DataDirectory, storeOptions.Durability,
                () => KvStore.Open(storeOptions with { ForgottenEpochs = forgottenStores.Read() }),
                () => downlinks?.Forgotten.Standing.Select(f => f.Name) ?? [], forgottenStores, sp.GetRequiredService<ILogger<SiteKvStore>>());
        });
        services.TryAddSingleton<IKvStore>(sp => sp.GetRequiredService<SiteKvStore>());
        services.TryAddSingleton<ILinkReplication, KvLinkReplication>();
        services.TryAddSingleton<KvFiguresTable>();
        services.TryAddSingleton<IKvFiguresExchange>(sp => sp.GetRequiredService<KvFiguresTable>());
        services.TryAddSingleton<KvMetrics>();
        services.TryAddSingleton<KeyspaceDirectory>();
        // Functions' state store (the local store, reads over the link where the locality choice says): AddFornaxLocality.
        services.AddHostedService<KeyspaceController>();
        services.AddHostedService<KeyspaceFiguresReporter>();
        services.AddHostedService<KvForgetWatch>();
        services.AddHostedService(sp => new KvUplinkReplication(sp.GetService<Uplink>(), sp.GetRequiredService<ILinkReplication>(), sp.GetRequiredService<SiteKvStore>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KvUplinkReplication>>()));
        return services;
    }
}
