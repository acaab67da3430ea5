namespace Fornax.Kv.Engine;

/// <summary>Opens a site's store.</summary>
public static class KvStore
{
    /// <summary>
    /// Opens (or creates) the store: reads every key's state from RocksDB into memory (one record per key, whatever the
    /// history of writes) and starts the disk writer and the expiry sweep.
    /// </summary>
    public static IKvStore Open(KvStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.SiteId))
        {
            throw new ArgumentException("SiteId: must not be empty", nameof(options));
        }

        return new KvEngine(options);
    }
}
