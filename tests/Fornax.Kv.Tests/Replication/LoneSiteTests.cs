using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A site keeps a delete's tombstone until every neighbour has it. A site with no neighbour — alone, or none linked yet
/// — kept every tombstone of a keyspace for ever: a cache of keys with a TTL grew without end. It now collects them as
/// soon as the delete is on its disk. That is safe only because no neighbour can hold a key of the site's without the
/// site knowing it after a restart: a new neighbour is sent nothing before its position is on the site's disk.
/// </summary>
public sealed class LoneSiteTests : TwoDurableSites
{
    [Fact]
    public async Task ASiteWithNoNeighbour_CollectsTheTombstonesOfDeletesAndExpiries_AndTheyStayGoneAfterARestart()
    {
        var a = OpenSite(DirA.Path, "a", "cart:");
        for (var i = 0; i < 50; i++)
        {
            a.Set($"cart:{i}", "x");
            a.Do(tx => tx.Delete(B($"cart:{i}")));
            a.Do(tx => tx.SetString(B($"cart:ttl{i}"), B("x"), DateTimeOffset.UtcNow.AddMilliseconds(50).ToUnixTimeMilliseconds(), false));
        }

        await Poll.UntilAsync(() => a.Stats.Keys == 0 && a.Stats.Tombstones == 0, "a to expire its keys and collect every tombstone",
            describe: () => $"{a.Stats.Keys} keys, {a.Stats.Tombstones} tombstones");
        await a.DisposeAsync();

        await using var again = OpenSite(DirA.Path, "a", "cart:");
        Assert.Equal(0, again.Stats.Tombstones);
        Assert.Null(again.Get("cart:0"));
        Assert.Null(again.Get("cart:ttl0"));
    }

    /// <summary>A lone site stopped between a delete's write and the write of its tombstone's collection (or a store an
    /// older build wrote, which kept them all) holds tombstones on disk and no neighbour: they are collected as it opens.</summary>
    [Fact]
    public async Task TombstonesOnDisk_WithNoNeighbourOnDisk_AreCollectedAsTheStoreOpens()
    {
        var a = OpenSite(DirA.Path, "a", "cart:", KvDurability.Always);
        await a.Execute(0, static (tx, _) => { tx.SetString("cart:1"u8, "x"u8, null, false); return 0; }, out _).WaitAsync();
        // From the write after the delete's on, the disk refuses: the collection never reaches it, as in a crash.
        ((KvEngine)a).BeforeDiskWrite = () =>
        {
            if (a.Stats.Tombstones == 0)
            {
                throw new Fornax.Kv.Engine.Native.RocksDbException("test: the disk refuses this write");
            }
        };
        await a.Execute(0, static (tx, _) => tx.Delete("cart:1"u8), out _).WaitAsync();
        await Poll.UntilAsync(() => a.IsReadOnly, "the collection's write to fail");
        await a.DisposeAsync();

        await using var again = OpenSite(DirA.Path, "a", "cart:");
        Assert.Equal(0, again.Stats.Tombstones);
        Assert.Null(again.Get("cart:1"));
    }

    /// <summary>b holds cart:1; c links while b's disk is held back. Had b sent cart:1 before c's position was on its disk,
    /// a crash of b then would leave b with no neighbour on disk — collecting, after the restart, the tombstone of a
    /// later delete of cart:1 that c would still need.</summary>
    [Fact]
    public async Task ANewNeighbour_IsSentNothing_BeforeItsPositionIsOnTheSitesDisk()
    {
        await using var b = OpenSite(DirB.Path, "b", "cart:", KvDurability.Always);
        await using var c = Replicating("c", "cart:");
        b.Set("cart:1", "1"); // on b's disk: Always waits for it
        using var disk = new ManualResetEventSlim(false);
        ((KvEngine)b).BeforeDiskWrite = () => disk.Wait();
        try
        {
            await using var link = new TestLink(KvReplication.For(b), KvReplication.For(c));
            await Poll.UntilAsync(() => b.Stats.Peers.Any(p => p.Site == "c" && p.Connected) && c.Stats.Peers.Any(p => p.Site == "b" && p.Connected),
                "b and c to be linked");
            var until = DateTime.UtcNow.AddSeconds(1);
            while (DateTime.UtcNow < until)
            {
                Assert.Null(c.Get("cart:1")); // c's position is not on b's disk yet
                await Task.Delay(20);
            }

            disk.Set();
            await Poll.UntilAsync(() => c.Get("cart:1") == "1", "c to get cart:1 once its position is on b's disk");
        }
        finally
        {
            disk.Set();
            ((KvEngine)b).BeforeDiskWrite = null;
        }
    }
}
