using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Testing;
using Xunit.Abstractions;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// a — cloud — b — d, "pair:" at a and d, relayed by the cloud and the region b (durable). b restarts, its link up back
/// before its link down. What b's neighbours last said they need is on b's disk, so b goes on saying the same: the
/// cloud keeps its copies, and no link catches up. (Told nothing until d spoke again, b announced less, the cloud gave
/// "pair:" up and fetched every key again: 3.8 MB around the restart of a region relaying 20,000 keys.)
/// </summary>
public sealed class RestartTrafficTests(ITestOutputHelper output) : TwoDurableSites
{
    private static long Bytes(params IKvStore[] stores) => stores.Sum(s => s.Stats.Peers.Sum(p => p.BytesSent + p.BytesReceived));

    private IKvStore OpenRegion() => KvStore.Open(new KvStoreOptions { DataDirectory = DirB.Path, SiteId = "b" });

    [Fact]
    public async Task ARestartedRelay_CostsTheLinksAroundItNoCopyOfWhatItRelays()
    {
        var keys = int.TryParse(Environment.GetEnvironmentVariable("FORNAX_KV_RESTART_KEYS"), out var n) ? n : 5000;
        await using var a = KvStore.Open(new KvStoreOptions { SiteId = "a" });
        await using var d = KvStore.Open(new KvStoreOptions { SiteId = "d" });
        KvReplication.For(a).SetKeyspaces(["pair:"]);
        KvReplication.For(d).SetKeyspaces(["pair:"]);
        await using var cloud = KvStore.Open(new KvStoreOptions { SiteId = "cloud" });
        var region = OpenRegion();
        await using var cloudToA = new TestLink(KvReplication.For(cloud), KvReplication.For(a));
        var cloudToB = new TestLink(KvReplication.For(cloud), KvReplication.For(region));
        var bToD = new TestLink(KvReplication.For(region), KvReplication.For(d));
        for (var from = 0; from < keys; from += 1000)
        {
            var start = from;
            a.Do(tx =>
            {
                for (var i = start; i < Math.Min(start + 1000, keys); i++)
                {
                    tx.SetString(B($"pair:k{i}"), B($"value-{i}-0123456789"), null, false);
                }
            });
        }

        await Poll.UntilAsync(() => d.Count == keys && Settled(cloud, a, region, d), "every key at d, every change acknowledged", TimeSpan.FromSeconds(60));
        var before = Bytes(cloud, a, d);
        await bToD.DisposeAsync();
        await cloudToB.DisposeAsync();
        await region.DisposeAsync();

        region = OpenRegion();
        await using var _region = region;
        await using var cloudToBAgain = new TestLink(KvReplication.For(cloud), KvReplication.For(region));
        await Poll.UntilAsync(() => ((KvEngine)cloud).Replication.HeardFrom("b"), "the cloud to hear what the restarted b needs");
        await using var bToDAgain = new TestLink(KvReplication.For(region), KvReplication.For(d));
        a.Set("pair:after", "x");
        await Poll.UntilAsync(() => d.Get("pair:after") == "x" && Settled(cloud, a, region, d), "a's next change at d, every change acknowledged");

        var traffic = Bytes(cloud, a, d) - before;
        output.WriteLine($"{keys:N0} keys relayed: {traffic:N0} bytes on the links around the restart of the region");
        Assert.True(traffic < 16 << 10, $"the restart cost {traffic:N0} bytes on the links around it: a copy of the relayed keys travelled");
    }

    /// <summary>No change pending and no catch-up running on any link.</summary>
    private static bool Settled(params IKvStore[] stores) => stores.All(s => s.Stats.Peers.All(p => p.PendingKeys == 0) &&
        s.Stats.Peers.All(p => !((KvEngine)s).Replication.PositionOf(p.Site).CatchingUp));
}
