using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using Fornax.Kv.Tests.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Storage;

/// <summary>
/// A set or hash of any size costs a write the elements it changes: each member and field is a RocksDB record of its
/// own. 100,000 members survive a restart and replicate.
/// </summary>
[Trait("Category", "Slow")]
public sealed class LargeCollectionTests : IDisposable
{
    private const int Elements = 100_000;
    private readonly TempDirectory _a = new();
    private readonly TempDirectory _b = new();

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private static IKvStore Open(string dir, string site = "a") =>
        KvStore.Open(new KvStoreOptions { DataDirectory = dir, SiteId = site, Durability = KvDurability.Always });

    /// <summary>Regression: every SADD and HSET re-encoded the whole collection for the disk (O(members) per write).</summary>
    [Fact]
    public async Task OneMoreElement_OfALargeCollection_WritesThatElement_NotTheCollection()
    {
        await using var store = Open(_a.Path);
        var engine = (KvEngine)store;
        await FillAsync(store, 10_000);

        var before = engine.DiskBytesEncoded;
        await store.Execute(0, static (tx, _) => tx.SetAdd("cart:set"u8, "one-more"u8), out _).WaitAsync();
        var setWrite = engine.DiskBytesEncoded - before;
        before = engine.DiskBytesEncoded;
        await store.Execute(0, static (tx, _) => tx.HashSet("cart:hash"u8, "one-more"u8, "v"u8), out _).WaitAsync();
        var hashWrite = engine.DiskBytesEncoded - before;

        // The key's header (its clock) and one element record: well under a kilobyte; the whole set was ~300 KB.
        Assert.InRange(setWrite, 1, 1024);
        Assert.InRange(hashWrite, 1, 1024);
    }

    [Fact]
    public async Task HundredThousandMembersAndFields_SurviveARestart_WithRemovalsAndATypeChange()
    {
        await using (var store = Open(_a.Path))
        {
            await FillAsync(store, Elements);
            store.Do(tx => tx.SetRemove(B("cart:set"), B("m:7")));
            store.Do(tx => tx.HashDelete(B("cart:hash"), B("f:7")));
            store.Do(tx => tx.SetAdd(B("cart:retyped"), B("x")));
            store.Set("cart:retyped", "now a string"); // the set's member records go with the type change
            await store.Execute(0, static (tx, _) => tx.SetAdd("cart:last"u8, "x"u8), out _).WaitAsync();
        }

        await using (var store = Open(_a.Path))
        {
            Assert.Equal(Elements - 1, store.Run(tx => tx.SetCount(B("cart:set"))));
            Assert.Equal(Elements - 1, store.Run(tx => tx.HashCount(B("cart:hash"))));
            Assert.False(store.Run(tx => tx.SetContains(B("cart:set"), B("m:7"))));
            Assert.True(store.Run(tx => tx.SetContains(B("cart:set"), B("m:99999"))));
            Assert.Equal("v99999", store.Run(tx => tx.HashTryGet(B("cart:hash"), B("f:99999"), out var v) ? System.Text.Encoding.UTF8.GetString(v) : null));
            Assert.Equal("now a string", store.Get("cart:retyped"));
            store.Do(tx => tx.Delete(B("cart:set")));
        }

        await using (var store = Open(_a.Path))
        {
            Assert.Equal(0, store.Run(tx => tx.SetCount(B("cart:set"))));
            Assert.Equal(Elements - 1, store.Run(tx => tx.HashCount(B("cart:hash"))));
        }
    }

    [Fact]
    public async Task HundredThousandMembers_Replicate_AndTheReplicaKeepsThemAcrossARestart()
    {
        var a = Open(_a.Path, "a");
        await using var _aStore = a;
        KvReplication.For(a).SetKeyspaces(["cart:"]);
        var b = Open(_b.Path, "b");
        KvReplication.For(b).SetKeyspaces(["cart:"]);
        await using (var link = new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            await FillAsync(a, Elements);
            await Poll.UntilAsync(
                () => b.Run(tx => tx.SetCount(B("cart:set"))) == Elements && b.Run(tx => tx.HashCount(B("cart:hash"))) == Elements,
                "b to hold every member and field",
                TimeSpan.FromSeconds(60),
                describe: () => $"b has {b.Run(tx => tx.SetCount(B("cart:set")))} members, {b.Run(tx => tx.HashCount(B("cart:hash")))} fields");
            b.Do(tx => tx.SetRemove(B("cart:set"), B("m:1")));
            await Poll.UntilAsync(() => !a.Run(tx => tx.SetContains(B("cart:set"), B("m:1"))), "a to see b's removal");
        }

        await b.DisposeAsync();
        await using var reopened = Open(_b.Path, "b");
        Assert.Equal(Elements - 1, reopened.Run(tx => tx.SetCount(B("cart:set"))));
        Assert.Equal(Elements, reopened.Run(tx => tx.HashCount(B("cart:hash"))));
    }

    /// <summary>Members "m:i" of cart:set and fields "f:i" = "vi" of cart:hash, 1,000 per transaction.</summary>
    private static async Task FillAsync(IKvStore store, int count)
    {
        for (var start = 0; start < count; start += 1000)
        {
            var end = Math.Min(count, start + 1000);
            await store.Execute((start, end), static (tx, range) =>
            {
                for (var i = range.start; i < range.end; i++)
                {
                    tx.SetAdd("cart:set"u8, System.Text.Encoding.UTF8.GetBytes($"m:{i}"));
                    tx.HashSet("cart:hash"u8, System.Text.Encoding.UTF8.GetBytes($"f:{i}"), System.Text.Encoding.UTF8.GetBytes($"v{i}"));
                }

                return 0;
            }, out _).WaitAsync();
        }
    }
}
