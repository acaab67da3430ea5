using Fornax.Kv.Engine;
using Fornax.Kv.Tests.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Storage;

/// <summary>
/// The store's directory deleted under the running store (a clean-up of /tmp, an <c>rm -rf</c>): RocksDB went on writing
/// to files no path led to, acknowledging writes that the next start would not find. The store now refuses every write
/// from the first one that finds the directory gone, saying why, and keeps serving what it holds.
/// </summary>
public sealed class LostDirectoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(KvDurability.Always)]
    [InlineData(KvDurability.EverySecond)]
    public async Task ADeletedDirectory_RefusesEveryWriteSayingWhy_AndReadsGoOn(KvDurability durability)
    {
        var kv = Path.Combine(_dir.Path, "kv");
        await using var store = KvStore.Open(new KvStoreOptions { DataDirectory = kv, SiteId = "a", Durability = durability });
        await store.Execute(0, static (tx, _) => { tx.SetString("before"u8, "1"u8, null, false); return 0; }, out _).WaitAsync();

        Directory.Delete(kv, recursive: true);

        // The first write after it may be taken (under everysec the reply does not wait for the disk), but its round finds
        // the directory gone; from then on nothing is taken. It is refused instead when a round found it first (everysec's
        // sync of the write before), or, under always, at its own round.
        try
        {
            await store.Execute(0, static (tx, _) => { tx.SetString("racing"u8, "1"u8, null, false); return 0; }, out _).WaitAsync();
        }
        catch (KvException e)
        {
            Assert.Contains("was deleted while the site ran", e.Message);
        }

        await Fornax.Testing.Poll.UntilAsync(() => store.IsReadOnly, "the store to find its directory gone");
        var refused = Assert.Throws<KvException>(() => store.Set("after", "1"));
        Assert.Equal($"READONLY the site's KV store directory ({kv}) was deleted while the site ran; writes are refused: restart the site to start its store afresh", refused.Message);
        Assert.Null(store.Get("after"));
        Assert.Equal("1", store.Get("before"));
        Assert.False(Directory.Exists(kv)); // nothing wrote it again
    }
}
