using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A catch-up makes up for changes a site skipped and counted as acknowledged (the neighbour did not need their keyspace
/// then). Until its last batch is acknowledged it is owed: a session that ends before — the batch may never have
/// arrived — starts it again, and so does a restart (the debt is kept on disk with the neighbour's position; a restart
/// no longer starts a catch-up of its own).
/// </summary>
public sealed class CatchUpOwedTests : TwoDurableSites
{
    private static KvEngine E(IKvStore store) => (KvEngine)store;

    private IKvStore OpenA() => OpenSite(DirA.Path, "a", "cart:");

    private IKvStore OpenC()
    {
        var c = OpenSite(DirB.Path, "c", "cart:");
        KvReplication.For(c).SetKeyspaces(["cart:", "more:"]);
        return c;
    }

    /// <summary>c writes more:x, which a does not need yet (skipped, acknowledged); then a takes "more:" and c catches
    /// it up — and c's sender is held on the catch-up's last batch, so it never leaves.</summary>
    private static async Task CatchUpsLastBatchHeldAsync(IKvStore a, IKvStore c, TestLink link)
    {
        c.Set("cart:first", "1");
        c.Set("more:x", "x");
        await Poll.UntilAsync(() => a.Get("cart:first") == "1" && E(c).Replication.PositionOf("a") is { CatchingUp: false } p && p.Acked >= E(c).CurrentVersion,
            "a to acknowledge c's changes, more:x skipped");
        E(c).Replication.ComparingDigests = () => link.Pipes.B.Hold();
        KvReplication.For(a).SetKeyspaces(["cart:", "more:"]);
        await Poll.UntilAsync(() => link.Pipes.B.Waiting, "c's sender to wait on the catch-up's batch");
        E(c).Replication.ComparingDigests = null;
        Assert.Null(a.Get("more:x"));
    }

    [Fact]
    public async Task ACatchUpWhoseLastBatchWasNotAcknowledged_StartsAgainAfterACut()
    {
        await using var a = OpenA();
        await using var c = OpenC();
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await CatchUpsLastBatchHeldAsync(a, c, link);

        await link.CutAsync();
        link.Heal();
        await Poll.UntilAsync(() => a.Get("more:x") == "x", "a to get more:x from the catch-up started again",
            describe: () => $"c's position of a {E(c).Replication.PositionOf("a")}");
    }

    [Fact]
    public async Task ACatchUpOwed_StartsAgainAfterARestart()
    {
        await using var a = OpenA();
        var c = OpenC();
        var link = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await CatchUpsLastBatchHeldAsync(a, c, link);
        await link.CutAsync();
        await c.DisposeAsync();

        c = OpenC();
        await using var _c = c;
        await using var again = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await Poll.UntilAsync(() => a.Get("more:x") == "x", "a to get more:x from the catch-up owed across c's restart",
            describe: () => $"c's position of a {E(c).Replication.PositionOf("a")}");
    }
}
