using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Storage;

namespace Fornax.Kv.Tests.Replication;

/// <summary>Two sites' data directories, deleted after the test, and stores opened on them that replicate a prefix.</summary>
public abstract class TwoDurableSites : IDisposable
{
    protected TempDirectory DirA { get; } = new();

    protected TempDirectory DirB { get; } = new();

    public void Dispose()
    {
        DirA.Dispose();
        DirB.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A durable store of <paramref name="site"/> on <paramref name="dir"/>, replicating <paramref name="prefix"/>.</summary>
    internal static IKvStore OpenSite(string dir, string site, string prefix, KvDurability durability = KvDurability.EverySecond)
    {
        var store = KvStore.Open(new KvStoreOptions { DataDirectory = dir, SiteId = site, Durability = durability });
        KvReplication.For(store).SetKeyspaces([prefix]);
        return store;
    }
}
