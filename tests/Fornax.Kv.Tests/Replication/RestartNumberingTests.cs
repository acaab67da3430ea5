using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A site numbers its changes; a neighbour's acknowledgement is a number of that sequence, kept on disk. Some numbers
/// belong to no key (a tombstone collected once every neighbour has the delete); the disk must record them too: a site
/// acknowledges what it received only once its disk has everything up to its current number, and after a restart the
/// numbering goes on from the number recorded. Recorded as the highest number of a key written, the number taken by a
/// collection was never durable — acknowledgements waited for the site's next write — and a restart numbered its next
/// change with a number a neighbour had acknowledged already: never sent, a delete's tombstone collected at once. And a
/// change counts as sent to a neighbour only once the neighbour has said, in this session, what it needs.
/// (Found by <see cref="ReplicationChaosTests"/>: a delete at a restarted site never reached the others.)
/// </summary>
public sealed class RestartNumberingTests : TwoDurableSites
{
    private static IKvStore Open(string dir, string site) => OpenSite(dir, site, "cart:");

    private static KvEngine E(IKvStore store) => (KvEngine)store;

    /// <summary>c opened and linked to a; cart:keep written at c, at a and acknowledged.</summary>
    private async Task<(IKvStore C, TestLink Link)> LinkedWithAKeyAsync(IKvStore a)
    {
        var c = Open(DirB.Path, "c");
        var link = new TestLink(KvReplication.For(a), KvReplication.For(c));
        c.Set("cart:keep", "k");
        await Poll.UntilAsync(() => a.Get("cart:keep") == "k" && E(c).Replication.PositionOf("a").Acked >= E(c).CurrentVersion,
            "a to get cart:keep, acknowledged");
        return (c, link);
    }

    /// <summary>c deletes a key; once a has the delete, both collect the tombstone (a number no key keeps).</summary>
    private static async Task DeleteAndCollectAsync(IKvStore a, IKvStore c)
    {
        c.Set("cart:gone", "x");
        await Poll.UntilAsync(() => a.Get("cart:gone") == "x", "a to get cart:gone");
        c.Do(tx => tx.Delete(B("cart:gone")));
        await Poll.UntilAsync(() => c.Stats.Tombstones == 0 && a.Stats.Tombstones == 0 && a.Get("cart:gone") is null,
            "both sites to collect the tombstone once they have the delete",
            describe: () => $"tombstones: c {c.Stats.Tombstones}, a {a.Stats.Tombstones}; a reads {a.Get("cart:gone") ?? "nothing"}");
    }

    /// <summary>c's keyspaces grow, so c catches a up: the catch-up begins at c's current number and, once a acknowledges
    /// its last batch (which changes nothing at a), a has everything of c's up to that number.</summary>
    private static Task CatchUpAcknowledgedAsync(IKvStore c) =>
        Poll.UntilAsync(() => E(c).Replication.PositionOf("a") is { CatchingUp: false } position && position.Acked >= E(c).CurrentVersion,
            "c's catch-up to end, acknowledged by a",
            describe: () => $"c's number {E(c).CurrentVersion}, durable {E(c).DurableVersion}; a's position {E(c).Replication.PositionOf("a")}");

    [Fact]
    public async Task ASiteThatCollectedATombstone_StillAcknowledges_WithoutAWriteOfItsOwn()
    {
        await using var a = Open(DirA.Path, "a");
        await using var c = Open(DirB.Path, "c");
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await DeleteAndCollectAsync(a, c);

        KvReplication.For(c).SetKeyspaces(["cart:", "more:"]);
        await CatchUpAcknowledgedAsync(c);
    }

    [Fact]
    public async Task ChangesAfterARestart_AreNumberedAboveWhatTheNeighbourAcknowledged()
    {
        await using var a = Open(DirA.Path, "a");
        var (c, link) = await LinkedWithAKeyAsync(a);
        await DeleteAndCollectAsync(a, c);
        KvReplication.For(c).SetKeyspaces(["cart:", "more:"]);
        a.Set("local:nudge", "1"); // a key of a's own: a's disk moves on, whatever it records
        await CatchUpAcknowledgedAsync(c);
        await link.DisposeAsync();
        await c.DisposeAsync();

        // Reopened and linked again: the link resumes from what a acknowledged (the end of the catch-up).
        c = Open(DirB.Path, "c");
        await using var _c = c;
        await using var again = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await Poll.UntilAsync(() => E(c).Replication.HeardFrom("a") && E(a).Replication.HeardFrom("c"), "both sides to say what they need");

        // The next changes: numbered at or below what a acknowledged, they were taken as sent (the delete's tombstone
        // collected at once, a kept the key).
        c.Do(tx => tx.Delete(B("cart:keep")));
        c.Set("cart:after", "y");
        await Poll.UntilAsync(() => a.Get("cart:keep") is null && a.Get("cart:after") == "y", "a to get c's changes made after its restart",
            describe: () => Describe(a, c));
    }

    [Fact]
    public async Task ChangesMadeWhileRestartedAndCut_WaitForTheNeighboursKeyspaces_BeforeAnythingCountsAsSent()
    {
        await using var a = Open(DirA.Path, "a");
        var (c, link) = await LinkedWithAKeyAsync(a);
        await link.DisposeAsync();
        await c.DisposeAsync();

        // Reopened, c deletes the key and writes another before the link is back. A restarted site knows nothing of what
        // a needs until a says so: a change looked at before then was skipped as unneeded, counted as acknowledged, and
        // the delete's tombstone collected before it ever left (the catch-up that followed could not send it).
        c = Open(DirB.Path, "c");
        await using var _c = c;
        c.Do(tx => tx.Delete(B("cart:keep")));
        c.Set("cart:after", "y");
        await Poll.UntilAsync(() => E(c).DurableVersion >= E(c).CurrentVersion, "c's changes to reach its disk");
        await using var again = new TestLink(KvReplication.For(a), KvReplication.For(c));
        await Poll.UntilAsync(() => a.Get("cart:keep") is null && a.Get("cart:after") == "y", "a to get c's changes made after its restart",
            describe: () => Describe(a, c));
    }

    private static string Describe(IKvStore a, IKvStore c) =>
        $"a reads cart:keep = {a.Get("cart:keep") ?? "nothing"}, cart:after = {a.Get("cart:after") ?? "nothing"}; c's number " +
        $"{E(c).CurrentVersion}, durable {E(c).DurableVersion}, a's position {E(c).Replication.PositionOf("a")}, c holds cart:keep: " +
        $"{E(c).Export(B("cart:keep")) is not null}; c's peers {string.Join(", ", c.Stats.Peers)}; a's peers {string.Join(", ", a.Stats.Peers)}";
}
