using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// Edges a and b hold the keyspace "pair:"; the cloud between them holds no replica and relays it while both sides need
/// it. When b stops needing it for a moment (its placement changed back and forth; before a site kept its neighbours'
/// needs on disk, at every restart of a site between), the cloud gives the keyspace up and drops its copies — copies of
/// a's changes that it acknowledged to a. a learns nothing of it when the cloud's word to a did not change in between
/// (its sender was busy the whole time): the cloud must ask a to catch it up, and keep asking, across a restart, until a
/// catch-up begun after its ask ends. (A failure of <see cref="ReplicationChaosTests"/> led here: an edge's change of a
/// set stopped at the region above it for good.)
/// </summary>
public sealed class RelayFlapTests : TwoDurableSites
{
    private IKvStore _a = null!;
    private IKvStore _b = null!;

    private static IKvStore OpenCloud(string dir) =>
        KvStore.Open(new KvStoreOptions { DataDirectory = dir, SiteId = "cloud", Durability = KvDurability.EverySecond });

    private static IKvStore Edge(string site, params string[] keyspaces)
    {
        var store = KvStore.Open(new KvStoreOptions { SiteId = site });
        KvReplication.For(store).SetKeyspaces(keyspaces is [] ? ["pair:"] : keyspaces);
        return store;
    }

    private static long KeysReceived(IKvStore store, string from) => store.Stats.Peers.Single(p => p.Site == from).KeysReceived;

    private static KvEngine E(IKvStore store) => (KvEngine)store;

    /// <summary>a's <paramref name="key"/> reached b through the cloud, and every catch-up of the link to a ended.</summary>
    private async Task ThroughTheCloudAsync(IKvStore cloud, string key, string value)
    {
        _a.Set(key, value);
        await Poll.UntilAsync(
            () => _b.Get(key) == value && !E(cloud).Replication.PositionOf("a").CatchingUp && !E(_a).Replication.PositionOf("cloud").CatchingUp,
            $"b to get a's {key} through the cloud, and the link's catch-ups to end");
    }

    /// <summary>The cloud's sender towards a is made to wait on a frame of its own (the acknowledgement of a's next
    /// change, <paramref name="key"/>), so nothing the cloud decides meanwhile reaches a.</summary>
    private async Task HoldTheCloudTowardsAAsync(TestLink toA, string key, string value)
    {
        toA.Pipes.A.Hold();
        _a.Set(key, value);
        await Poll.UntilAsync(() => toA.Pipes.A.Waiting, "the cloud's sender towards a to wait on its acknowledgement");
    }

    private async Task ConvergedThenCloudTowardsAHeldAsync(IKvStore cloud, TestLink toA)
    {
        await ThroughTheCloudAsync(cloud, "pair:k", "v1");
        await HoldTheCloudTowardsAAsync(toA, "pair:nudge", "n");
    }

    /// <summary>b gives "pair:" up and takes it again; the cloud dropped its copies meanwhile, and carries it again once
    /// b's new key reaches it.</summary>
    private async Task FlapAtBAsync(IKvStore cloud)
    {
        KvReplication.For(_b).SetKeyspaces([]);
        await Poll.UntilAsync(() => cloud.Get("pair:k") is null, "the cloud to drop its copy of pair:k when b no longer needs it");
        KvReplication.For(_b).SetKeyspaces(["pair:"]);
        _b.Set("pair:fromb", "b");
        await Poll.UntilAsync(() => cloud.Get("pair:fromb") == "b", "the cloud to carry pair: again");
    }

    private Task EveryChangeOfAAtBAsync(IKvStore cloud) => Poll.UntilAsync(
        () => _b.Get("pair:k") == "v1" && _b.Get("pair:nudge") == "n" && cloud.Get("pair:k") == "v1",
        "a's changes, which the cloud acknowledged and then dropped, to reach the cloud and b again",
        describe: () => $"b reads pair:k={_b.Get("pair:k") ?? "nothing"}, pair:nudge={_b.Get("pair:nudge") ?? "nothing"}; the cloud reads pair:k={cloud.Get("pair:k") ?? "nothing"}");

    [Fact]
    public async Task ARelayThatDroppedAKeyspaceForAMoment_GetsBackWhatItHadAcknowledged_ThoughTheEdgeSawNoChange()
    {
        await using var a = _a = Edge("a");
        await using var b = _b = Edge("b");
        await using var cloud = OpenCloud(DirA.Path);
        await using var toB = new TestLink(KvReplication.For(cloud), KvReplication.For(b));
        await using var toA = new TestLink(KvReplication.For(cloud), KvReplication.For(a));
        await ConvergedThenCloudTowardsAHeldAsync(cloud, toA);

        await FlapAtBAsync(cloud);
        toA.Pipes.A.Release();

        await EveryChangeOfAAtBAsync(cloud);
    }

    [Fact]
    public async Task TheRelaysAskOutlivesARestart_BeforeTheEdgeHeardIt()
    {
        await using var a = _a = Edge("a");
        await using var b = _b = Edge("b");
        var cloud = OpenCloud(DirA.Path);
        var toB = new TestLink(KvReplication.For(cloud), KvReplication.For(b));
        var toA = new TestLink(KvReplication.For(cloud), KvReplication.For(a));
        await ConvergedThenCloudTowardsAHeldAsync(cloud, toA);
        await FlapAtBAsync(cloud);

        // The cloud stops before anything more reaches a (its held send is cancelled); its disk holds what it must
        // still ask for.
        await toA.CutAsync();
        await toB.DisposeAsync();
        await cloud.DisposeAsync();

        cloud = OpenCloud(DirA.Path);
        await using var _cloud = cloud;
        await using var toBAgain = new TestLink(KvReplication.For(cloud), KvReplication.For(b));
        await using var toAAgain = new TestLink(KvReplication.For(cloud), KvReplication.For(a));
        await EveryChangeOfAAtBAsync(cloud);
    }

    [Fact]
    public async Task AKeyRefusedBecauseTheRelayStoppedCarryingItsKeyspace_IsAskedForOnceItCarriesItAgain()
    {
        // The edges hold "cart:" as well: the cloud keeps carrying it, and acknowledges on the link to a with it.
        await using var a = _a = Edge("a", "cart:", "pair:");
        await using var b = _b = Edge("b", "cart:", "pair:");
        await using var cloud = OpenCloud(DirA.Path);
        await using var toB = new TestLink(KvReplication.For(cloud), KvReplication.For(b));
        await using var toA = new TestLink(KvReplication.For(cloud), KvReplication.For(a));
        await ThroughTheCloudAsync(cloud, "cart:zero", "0");

        // Both directions of the link to a wait: the cloud's on the acknowledgement of a's cart: key, a's on its batch
        // of pair:x. The cloud holds no pair: key, so giving the keyspace up drops nothing.
        await HoldTheCloudTowardsAAsync(toA, "cart:first", "1");
        toA.Pipes.B.Hold();
        a.Set("pair:x", "x");
        await Poll.UntilAsync(() => toA.Pipes.B.Waiting, "a's sender to wait on its batch of pair:x");

        // b gives pair: up; a's batch arrives while the cloud does not carry it (refused, and acknowledged with the
        // batch); then b takes pair: again, and the cloud carries it again.
        KvReplication.For(b).SetKeyspaces(["cart:"]);
        await Poll.UntilAsync(() => !E(cloud).Replication.Carries("pair:x"u8), "the cloud to stop carrying pair:");
        var received = KeysReceived(cloud, "a");
        toA.Pipes.B.Release();
        await Poll.UntilAsync(() => KeysReceived(cloud, "a") > received, "a's batch of pair:x to reach the cloud");
        KvReplication.For(b).SetKeyspaces(["cart:", "pair:"]);
        b.Set("pair:fromb", "b");
        await Poll.UntilAsync(() => cloud.Get("pair:fromb") == "b", "the cloud to carry pair: again");
        toA.Pipes.A.Release();

        await Poll.UntilAsync(() => b.Get("pair:x") == "x", "a's pair:x, refused by the cloud and acknowledged, to reach b",
            describe: () => $"the cloud reads {cloud.Get("pair:x") ?? "nothing"}, b reads {b.Get("pair:x") ?? "nothing"}");
    }

    [Fact]
    public async Task ARestartedRelay_SaysWhatTheSitesBeyondItNeeded_BeforeTheySpeak()
    {
        // a — cloud — b — d: "pair:" at a and d; the cloud and the region b relay it.
        await using var a = _a = Edge("a");
        await using var d = _b = Edge("d");
        await using var cloud = KvStore.Open(new KvStoreOptions { SiteId = "cloud" });
        var region = KvStore.Open(new KvStoreOptions { DataDirectory = DirB.Path, SiteId = "b" });
        await using var cloudToA = new TestLink(KvReplication.For(cloud), KvReplication.For(a));
        var cloudToB = new TestLink(KvReplication.For(cloud), KvReplication.For(region));
        var bToD = new TestLink(KvReplication.For(region), KvReplication.For(d));
        a.Set("pair:k", "v1");
        await Poll.UntilAsync(() => d.Get("pair:k") == "v1", "d to get a's pair:k through the cloud and b");
        await bToD.DisposeAsync();
        await cloudToB.DisposeAsync();
        await region.DisposeAsync();

        // b restarts, and its link up comes back before its link down: it still relays "pair:" (d's need, kept on
        // disk), tells the cloud so, and the cloud keeps its copies (heard as needing nothing, b made the cloud give
        // the keyspace up and drop them).
        region = KvStore.Open(new KvStoreOptions { DataDirectory = DirB.Path, SiteId = "b" });
        await using var _region = region;
        Assert.True(E(region).Replication.Carries("pair:k"u8), "the restarted region relays pair: before any neighbour speaks");
        await using var cloudToBAgain = new TestLink(KvReplication.For(cloud), KvReplication.For(region));
        await Poll.UntilAsync(() => E(cloud).Replication.HeardFrom("b"), "the cloud to hear what the restarted b needs");
        Assert.Equal("v1", cloud.Get("pair:k"));

        await using var bToDAgain = new TestLink(KvReplication.For(region), KvReplication.For(d));
        a.Set("pair:k2", "v2");
        await Poll.UntilAsync(() => d.Get("pair:k2") == "v2", "a's next change to reach d");
    }
}
