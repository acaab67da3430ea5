using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// Deleting a site's data directory resets the site; the same name comes back as a new store. Writing under the old
/// name's replica id, its first writes — made before it caught up — carried clocks that covered the dots of everything
/// it wrote before, which its neighbours then took as removed: an increment of 1 turned a counter of 5 into 1 at every
/// site, and a member it had added and never removed went. A store's replica id now includes its data's epoch.
/// </summary>
public sealed class WipedSiteTests
{
    [Fact]
    public async Task ASiteWhoseDataWasDeleted_WritingBeforeItCaughtUp_ErasesNothingItWroteBefore()
    {
        await using var b = Replicating("b", "cart:");
        var a = Replicating("a", "cart:");
        await using (new TestLink(KvReplication.For(b), KvReplication.For(a)))
        {
            a.Run(tx => tx.IncrementBy(B("cart:n"), 5));
            a.Do(tx => tx.SetAdd(B("cart:s"), B("old")));
            await Poll.UntilAsync(() => b.Get("cart:n") == "5" && b.Members("cart:s").Length == 1, "b to get a's writes");
        }

        await a.DisposeAsync();
        await using var fresh = Replicating("a", "cart:"); // a store in memory: each open is new data, as a deleted directory is
        fresh.Run(tx => tx.IncrementBy(B("cart:n"), 1));
        fresh.Do(tx => tx.SetAdd(B("cart:s"), B("new")));
        await using var again = new TestLink(KvReplication.For(b), KvReplication.For(fresh));
        await Poll.UntilAsync(() => new[] { b, fresh }.All(s => s.Get("cart:n") == "6" && s.Members("cart:s").SequenceEqual(["new", "old"])),
            "both sites to count 6 and hold both members",
            describe: () => $"b: {b.Get("cart:n")} [{string.Join(",", b.Members("cart:s"))}]; a: {fresh.Get("cart:n")} [{string.Join(",", fresh.Members("cart:s"))}]");
    }
}
