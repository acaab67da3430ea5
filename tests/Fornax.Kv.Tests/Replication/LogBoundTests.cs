using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// The replication log is bounded. A connected peer that falls a whole log behind — the writes outrun the link — must
/// still get every key whose only change was pushed out of the log before it was sent: by a catch-up, not by a scan
/// from the next entry, which would leave them out while acknowledging past them.
/// </summary>
public sealed class LogBoundTests
{
    private const int LogEntries = 1_000;

    private static IKvStore Site(string name) =>
        Open(KvStore.Open(new KvStoreOptions { SiteId = name, Random = new Random(name.Length), ReplicationLogEntries = LogEntries }));

    private static IKvStore Open(IKvStore store)
    {
        KvReplication.For(store).SetKeyspaces(["cart:"]);
        return store;
    }

    [Fact]
    public async Task APeerAWholeLogBehind_WhileConnected_GetsEveryKey()
    {
        await using var a = Site("a");
        await using var b = Site("b");
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b), capacity: 1);
        a.Set("cart:probe", "1");
        await Poll.UntilAsync(() => b.Get("cart:probe") == "1", "the link to carry a first key");

        // Twenty times the log's bound of distinct keys, each changed once, faster than the link takes them.
        const int keys = 20 * LogEntries;
        for (var i = 0; i < keys; i += 100)
        {
            var from = i;
            a.Do(tx =>
            {
                for (var k = from; k < from + 100; k++)
                {
                    tx.SetString(B($"cart:{k}"), B($"v{k}"), null, false);
                }
            });
        }

        await Poll.UntilAsync(() => b.Count == keys + 1, "b to hold every key written at a",
            describe: () => $"b holds {b.Count} of {keys + 1}");
        Assert.Equal($"v{keys - 1}", b.Get($"cart:{keys - 1}"));
        Assert.Equal("v0", b.Get("cart:0"));
        Assert.True(a.Stats.Peers.Single(p => p.Site == "b").CatchUps >= 2, "the peer caught up after the log dropped changes it had not been sent");
    }
}
