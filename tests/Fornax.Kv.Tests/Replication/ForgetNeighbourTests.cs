using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten by the store too:
/// until then it held back, for ever, every tombstone and change-log entry it had not acknowledged, and kept the site
/// relaying the keyspaces only it needed — across restarts, since its position and needs are kept on disk.
/// The tree a — b — c: "cart:" held at all three, "pair:" at a and c only (b relays it, keeping a copy).
/// </summary>
public sealed class ForgetNeighbourTests : TwoDurableSites
{
    private static IKvStore Edge(string name)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = name });
        KvReplication.For(store).SetKeyspaces(["cart:", "pair:"]);
        return store;
    }

    private IKvStore OpenB() => OpenSite(DirB.Path, "b", "cart:");

    private static string[] Neighbours(IKvStore store) => [.. store.Stats.Peers.Select(p => p.Site).Order()];

    [Fact]
    public async Task AForgottenNeighbour_NoLongerHoldsBackTombstones_NorKeepsItsKeyspaceRelayed_AcrossARestart()
    {
        await using var a = Edge("a");
        await using var c = Edge("c");
        var b = OpenB();
        await using (var ab = new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            var bc = new TestLink(KvReplication.For(b), KvReplication.For(c));
            a.Set("cart:1", "1");
            a.Set("pair:1", "1");
            await Poll.UntilAsync(() => c.Get("cart:1") == "1" && c.Get("pair:1") == "1", "c to get a's keys through b");
            await bc.DisposeAsync(); // c goes away, never to come back

            a.Do(tx => tx.Delete(B("cart:1")));
            await Poll.UntilAsync(() => b.Get("cart:1") is null && a.Stats.Tombstones == 0, "b to apply the delete and acknowledge it");
            Assert.Equal(1, b.Stats.Tombstones); // kept for c, which has not seen the delete
            Assert.Equal("1", b.Get("pair:1")); // relayed for c

            KvReplication.For(b).Forget("c");
            Assert.Equal(["a"], Neighbours(b));
            Assert.Equal(0, b.Stats.Tombstones);
            Assert.Null(b.Get("pair:1")); // only a needs it now: b relays it no more
            Assert.Equal("1", a.Get("pair:1")); // dropped at b, not deleted
        }

        await b.DisposeAsync();
        b = OpenB();
        await using var _b = b;
        Assert.Equal(["a"], Neighbours(b)); // its position is gone from the disk too
    }

    [Fact]
    public async Task ForgettingALinkedNeighbour_EndsItsSession_AndItsPositionIsGoneAfterARestart()
    {
        await using var c = Edge("c");
        var b = OpenB();
        await using (var bc = new TestLink(KvReplication.For(b), KvReplication.For(c)))
        {
            c.Set("cart:1", "1");
            await Poll.UntilAsync(() => b.Get("cart:1") == "1", "b to get cart:1");

            KvReplication.For(b).Forget("c"); // nothing else changes at b: its only neighbour goes
            await Poll.UntilAsync(() => c.Stats.Peers.Single().Connected == false, "c's session with b to end");
            Assert.Empty(Neighbours(b));
        }

        await b.DisposeAsync();
        b = OpenB();
        await using var _b = b;
        Assert.Empty(Neighbours(b));
        Assert.Equal("1", b.Get("cart:1"));
    }
}
