using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A neighbour that left the tree for good (<c>fornax site forget</c> at its parent) is forgotten by the store too:
/// until then it held back, for ever, every tombstone and change-log entry it had not acknowledged — across restarts,
/// since its position is kept on disk. What it last needed still counts until what it sent is passed on: a keyspace
/// relayed for it stays carried until then.
/// The tree a — b — c: "cart:" held at all three, "pair:" at a and c only (b relays it, keeping a copy).
/// </summary>
public sealed class ForgetNeighbourTests : TwoDurableSites
{
    private static IKvStore Edge(string name) => Replicating(name, "cart:", "pair:");

    private IKvStore OpenB() => OpenSite(DirB.Path, "b", "cart:");

    private static string[] Neighbours(IKvStore store) => [.. store.Stats.Peers.Select(p => p.Site).Order()];

    [Fact]
    public async Task AForgottenNeighbour_NoLongerHoldsBackTombstones_AcrossARestart()
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
        }

        await b.DisposeAsync();
        b = OpenB();
        await using var _b = b;
        Assert.Equal(["a"], Neighbours(b)); // its position is gone from the disk too
    }

    /// <summary>c writes pair:x while b's link to a is cut; b acknowledges it to c, then forgets c. Had b given "pair:" up
    /// (only a's side needs it now), its copy — the only one besides c's — would go: acknowledged, and lost. Once a has
    /// it, c's need is given up: b drops its copies of "pair:" and does not carry it again after a restart.</summary>
    [Fact]
    public async Task WhatAForgottenNeighbourSent_StillReachesTheOtherSide_ThenWhatItNeededIsGivenUp()
    {
        await using var a = Edge("a");
        await using var c = Edge("c");
        var b = OpenB();
        await using (var ab = new TestLink(KvReplication.For(a), KvReplication.For(b)))
        {
            var bc = new TestLink(KvReplication.For(b), KvReplication.For(c));
            a.Set("pair:0", "0");
            await Poll.UntilAsync(() => c.Get("pair:0") == "0", "c to get pair:0 through b");
            await ab.CutAsync();

            c.Set("pair:x", "x");
            await Poll.UntilAsync(() => b.Get("pair:x") == "x" && c.Stats.Peers.Single().PendingKeys == 0,
                "b to acknowledge pair:x");
            await bc.DisposeAsync();
            KvReplication.For(b).Forget("c");
            KvReplication.For(b).SetKeyspaces(["cart:"]); // anything that makes b weigh what it carries again
            Assert.Equal("x", b.Get("pair:x")); // still carried: c's need counts
            Assert.Equal("0", b.Get("pair:0"));

            ab.Heal();
            await Poll.UntilAsync(() => a.Get("pair:x") == "x", "a to get pair:x from b");
            await Poll.UntilAsync(() => b.Get("pair:x") is null && b.Get("pair:0") is null,
                "b to give up c's need once a acknowledged what c sent, dropping its copies of pair:");
            a.Set("cart:1", "1");
            await Poll.UntilAsync(() => b.Get("cart:1") == "1", "b to get cart:1");
        }

        await b.DisposeAsync();
        b = OpenB();
        await using var _b = b;
        await using var again = new TestLink(KvReplication.For(a), KvReplication.For(b));
        a.Set("cart:2", "2");
        await Poll.UntilAsync(() => b.Get("cart:2") == "2", "b, restarted, to get cart:2");
        Assert.Null(b.Get("pair:x")); // a catch-up would have brought it, were "pair:" still needed for c
        Assert.Equal(["a"], Neighbours(b));
    }

    /// <summary>c holds cart:1 when b deletes it and then forgets c: the tombstone b kept for c goes with the forget. c
    /// coming back with that data would bring cart:1 back at b, and from b everywhere: b refuses it, changing nothing,
    /// also after b restarts (the forget's record keeps c's epoch). c started afresh (its kv folder removed: a new epoch)
    /// is a new neighbour: it gets what b holds, and b what it writes.</summary>
    [Fact]
    public async Task AForgottenNeighbour_BackWithTheDataItHadThen_IsRefused_AcrossARestart_AndStartedAfresh_IsLetIn()
    {
        await using var c = Edge("c");
        var b = OpenB();
        await using (new TestLink(KvReplication.For(b), KvReplication.For(c)))
        {
            b.Set("cart:1", "1");
            b.Set("cart:2", "2");
            await Poll.UntilAsync(() => c.Get("cart:1") == "1" && c.Get("cart:2") == "2", "c to get b's keys");
        }

        b.Do(tx => tx.Delete(B("cart:1")));
        Assert.Equal(1, b.Stats.Tombstones); // kept for c
        KvReplication.For(b).Forget("c");
        await Poll.UntilAsync(() => b.Stats.Tombstones == 0, "b, with no neighbour left, to collect the tombstone once the delete is on its disk");

        await AssertRefusedAsync(b, c);
        await b.DisposeAsync();
        b = OpenB();
        await using var _b = b;
        await AssertRefusedAsync(b, c);
        Assert.Empty(Neighbours(b));
        Assert.Null(b.Get("cart:1"));

        await using var fresh = Edge("c"); // c's kv folder removed: a store with a new epoch
        fresh.Set("cart:fromc", "c");
        await using var again = new TestLink(KvReplication.For(b), KvReplication.For(fresh));
        b.Set("cart:after", "b");
        await Poll.UntilAsync(() => fresh.Get("cart:2") == "2" && fresh.Get("cart:after") == "b" && b.Get("cart:fromc") == "c",
            "b and the fresh c to get the other's keys");
        Assert.Null(b.Get("cart:1"));
        Assert.Null(fresh.Get("cart:1"));
        Assert.Equal(["c"], Neighbours(b));
    }

    /// <summary>
    /// a — b — c, all holding "cart:". b and c are cut off together; a deletes cart:1 meanwhile and forgets b, so the
    /// tombstone goes. b comes back with its old data: refused (above). Its kv folder removed, b starts afresh and is let
    /// in — but c, below it, still holds cart:1 from b's old store. c learns from b's hello that the store it last
    /// replicated with was forgotten, and b from c's hello that c knew that store: both refuse, at every try, changing
    /// nothing at either side (neither records the other), and cart:1 does not come back. c started afresh is let in,
    /// and gets what the tree holds.
    /// </summary>
    [Fact]
    public async Task ASiteBelowAForgottenStore_IsRefusedByTheStoreStartedAfresh_UntilItStartsAfreshItself()
    {
        await using var a = Edge("a");
        await using var c = Edge("c");
        long forgottenEpoch;
        await using (var oldB = Replicating("b", "cart:"))
        {
            forgottenEpoch = KvReplication.For(oldB).Epoch;
            await using (new TestLink(KvReplication.For(a), KvReplication.For(oldB)))
            await using (new TestLink(KvReplication.For(oldB), KvReplication.For(c)))
            {
                a.Set("cart:1", "1");
                await Poll.UntilAsync(() => c.Get("cart:1") == "1", "c to get cart:1 through b");
            }
        }

        a.Do(tx => tx.Delete(B("cart:1")));
        KvReplication.For(a).Forget("b");
        await Poll.UntilAsync(() => a.Stats.Tombstones == 0, "a, with no neighbour left, to collect the tombstone");
        a.Set("cart:2", "2");

        // b's kv folder removed, and started again; its site kept the old store's epoch outside the folder.
        await using var b = KvStore.Open(new KvStoreOptions { SiteId = "b", ForgottenEpochs = [forgottenEpoch] });
        KvReplication.For(b).SetKeyspaces(["cart:"]);
        await using var ab = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await Poll.UntilAsync(() => b.Get("cart:2") == "2", "b, started afresh, to get cart:2 from a");

        for (var attempt = 0; attempt < 2; attempt++)
        {
            await AssertRefusedAsync(c, "c", b, "b", "\"c\" last replicated with the KV data \"b\" had when the tree forgot it");
            Assert.Equal("1", c.Get("cart:1"));
            Assert.Null(b.Get("cart:1"));
            Assert.Null(c.Get("cart:2"));
            Assert.Equal(["a"], Neighbours(b));
            Assert.Equal(["b"], Neighbours(c)); // its record of b, the forgotten store's, stays: refused again next time
        }

        await using var freshC = Edge("c");
        await using var bc = new TestLink(KvReplication.For(b), KvReplication.For(freshC));
        freshC.Set("cart:fromc", "c");
        await Poll.UntilAsync(() => freshC.Get("cart:2") == "2" && a.Get("cart:fromc") == "c", "the fresh c and a to get each other's keys through b");
        Assert.Null(freshC.Get("cart:1"));
        Assert.Null(b.Get("cart:1"));
        Assert.Null(a.Get("cart:1"));
    }

    /// <summary>b's side of a session with <paramref name="c"/> ends at c's hello with the reason, and nothing at b
    /// changes: c is no neighbour, and what c holds does not reach b.</summary>
    private static async Task AssertRefusedAsync(IKvStore b, IKvStore c)
    {
        await AssertRefusedAsync(b, "b", c, "c", "\"c\" was forgotten at b and links again with the KV data it had then");
        Assert.Empty(Neighbours(b));
        Assert.Null(b.Get("cart:1"));
    }

    /// <summary>A session between <paramref name="refusing"/> and <paramref name="other"/>: the refusing side's ends at
    /// the other's hello with a reason containing <paramref name="reason"/>; the other's ends with the stream, or refuses too.</summary>
    private static async Task AssertRefusedAsync(IKvStore refusing, string refusingName, IKvStore other, string otherName, string reason)
    {
        var (toRefusing, toOther) = PipeTransport.Pair(null);
        using var cut = new CancellationTokenSource();
        var otherSide = Task.Run(async () =>
        {
            try
            {
                await KvReplication.For(other).RunPeerAsync(toOther, refusingName, cut.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ReplicationProtocolException or ReplicationRefusedException)
            {
                // the refusing side ended the stream (or this side refused too: after a forgotten store, both do)
            }
            finally
            {
                toOther.Close();
            }
        });
        var refused = await Assert.ThrowsAsync<ReplicationRefusedException>(
            () => KvReplication.For(refusing).RunPeerAsync(toRefusing, otherName, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(reason, refused.Message);
        toRefusing.Close();
        await cut.CancelAsync();
        await otherSide;
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
