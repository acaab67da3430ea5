using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A site forgotten at its parent no longer holds back the parent's tombstones, so a delete made after the forget leaves
/// no trace there. Should the site come back (joined again), it — and the sites below it — would keep the deleted key
/// for ever, and a later catch-up from them would bring it back everywhere. So the parent asks it to reset: drop what it
/// holds of the parent's side and had acknowledged, keep its writes not yet passed up, and ask the same of the sites
/// below it. The tree a — c — g, "cart:" held at all three; a is c's parent, c is g's.
/// </summary>
public sealed class ForgottenSiteReturnsTests : TwoDurableSites
{
    private static IKvStore InMemory(string name)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = name });
        KvReplication.For(store).SetKeyspaces(["cart:"]);
        return store;
    }

    private static async Task SameEverywhereAsync(params IKvStore[] sites)
    {
        string View(IKvStore s) => string.Join(" ", new[] { "cart:old", "cart:kept", "cart:new", "cart:fromc", "cart:fromg" }.Select(k => $"{k}={s.Get(k) ?? "-"}"));
        await Poll.UntilAsync(() => sites.All(s => s.Get("cart:old") is null && s.Get("cart:kept") == "1" && s.Get("cart:new") == "1" && s.Get("cart:fromc") == "1" && s.Get("cart:fromg") == "1"),
            "every site to hold the tree's keys, the deleted one gone", TimeSpan.FromSeconds(30),
            () => string.Join("; ", sites.Select(s => $"{KvReplication.For(s).Site}: {View(s)}")));
    }

    /// <summary>a (with another child, b) and c hold cart:old and cart:kept (so does g); c is cut off and forgotten at a,
    /// which deletes cart:old — its tombstone goes once b has the delete — and writes cart:new.</summary>
    private static async Task ForgetCAndDeleteAsync(IKvStore a, IKvStore c, IKvStore g, TestLink ac)
    {
        a.Set("cart:old", "1");
        a.Set("cart:kept", "1");
        await Poll.UntilAsync(() => g.Get("cart:old") == "1" && g.Get("cart:kept") == "1", "g to get a's keys through c");
        await ac.DisposeAsync();

        KvReplication.For(a).Forget("c");
        await using var b = InMemory("b");
        await using (new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            a.Do(tx => tx.Delete(B("cart:old")));
            a.Set("cart:new", "1");
            await Poll.UntilAsync(() => b.Get("cart:new") == "1" && a.Stats.Tombstones == 0, "b to get the delete, and a to collect its tombstone",
                describe: () => $"a holds {a.Stats.Tombstones} tombstones");
        }

        c.Set("cart:fromc", "1"); // written while forgotten: kept, and passed up when c is back
    }

    [Fact]
    public async Task AForgottenSiteThatComesBack_AndTheSiteBelowIt_DropWhatTheyMissedTheDeleteOf_KeepingTheirNewWrites()
    {
        await using var a = InMemory("a");
        await using var c = InMemory("c");
        await using var g = InMemory("g");
        await using var cg = new TestLink(KvReplication.For(c), KvReplication.For(g));
        await ForgetCAndDeleteAsync(a, c, g, new TestLink(KvReplication.For(a), KvReplication.For(c)));
        g.Set("cart:fromg", "1");
        await Poll.UntilAsync(() => c.Get("cart:fromg") == "1", "c to get g's write");

        await using var back = new TestLink(KvReplication.For(a), KvReplication.For(c)); // joined again
        // c's reset ends its session with g, whose next one asks g for the same reset (the link dials again).
        await Poll.UntilAsync(() => !c.Stats.Peers.Single(p => p.Site == "g").Connected, "c's session with g to end");
        await cg.CutAsync();
        cg.Heal();
        await SameEverywhereAsync(a, c, g);
    }

    [Fact]
    public async Task AForgottenSiteThatComesBackWiped_StillHasTheSitesBelowItReset()
    {
        await using var a = InMemory("a");
        var c = InMemory("c");
        await using var g = InMemory("g");
        var cg = new TestLink(KvReplication.For(c), KvReplication.For(g));
        await ForgetCAndDeleteAsync(a, c, g, new TestLink(KvReplication.For(a), KvReplication.For(c)));
        await cg.DisposeAsync();
        await c.DisposeAsync(); // its data is gone: a new store comes back under its name
        c = InMemory("c");
        await using var _c = c;
        c.Set("cart:fromc", "1");
        g.Set("cart:fromg", "1"); // while its parent was away

        await using var back = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await Poll.UntilAsync(() => c.Get("cart:kept") == "1", "c to be caught up by a");
        await using var below = new TestLink(KvReplication.For(c), KvReplication.For(g));
        await SameEverywhereAsync(a, c, g);
    }

    [Fact]
    public async Task TheResetsOwed_OutliveRestartsOfTheParent_AndOfTheSiteReset()
    {
        var a = OpenSite(DirA.Path, "a", "cart:");
        var c = OpenSite(DirB.Path, "c", "cart:");
        await using var g = InMemory("g");
        var cg = new TestLink(KvReplication.For(c), KvReplication.For(g));
        await ForgetCAndDeleteAsync(a, c, g, new TestLink(KvReplication.For(a), KvReplication.For(c)));
        g.Set("cart:fromg", "1");
        await Poll.UntilAsync(() => c.Get("cart:fromg") == "1", "c to get g's write");
        await cg.DisposeAsync(); // g is away when c comes back

        await a.DisposeAsync(); // a forgets no reset it owes c
        a = OpenSite(DirA.Path, "a", "cart:");
        await using (new TestLink(KvReplication.For(a), KvReplication.For(c)))
        {
            await Poll.UntilAsync(() => c.Get("cart:old") is null && c.Get("cart:new") == "1", "c to be reset and caught up");
        }

        await c.DisposeAsync(); // c forgets no reset it owes g
        c = OpenSite(DirB.Path, "c", "cart:");
        await using var _a = a;
        await using var _c = c;
        await using var up = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await using var below = new TestLink(KvReplication.For(c), KvReplication.For(g));
        await SameEverywhereAsync(a, c, g);
    }
}
