using System.Net;
using Fornax.Core.Objects;
using Fornax.Kv.Engine;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Fornax.Node.Tests.Kv;

/// <summary>
/// A real tree (cloud relaying for edges a and b) written through StackExchange.Redis: a restarted site resumes its
/// links from what was acknowledged (on disk), and a site removed from a keyspace's placement drops its replica.
/// </summary>
public sealed class KvTreeCatchUpTests
{
    private const int Keys = 2_000;

    private static IKvStore Store(TreeSite site) => site.Node.Services.GetRequiredService<IKvStore>();

    private static KvPeerStats Towards(TreeSite site, string peer) => Store(site).Stats.Peers.Single(p => p.Site == peer);

    private static Task<ConnectionMultiplexer> ConnectAsync(TreeSite site)
    {
        var resp = new Uri(site.Node.Endpoints.Resp ?? throw new InvalidOperationException($"{site.Name} serves no RESP port"));
        return ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, resp.Port) }, ConnectTimeout = 10_000, SyncTimeout = 10_000, AsyncTimeout = 10_000 });
    }

    private static Task PlaceAsync(TreeHost tree, string sites) => TreeHost.ApplyAsync(tree["cloud"], "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", sites));

    private static async Task<TreeHost> StartWithKeysAsync()
    {
        var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await PlaceAsync(tree, "a, b");
        await using var redis = await ConnectAsync(tree["a"]);
        var db = redis.GetDatabase();
        await Poll.UntilAsync(async () =>
        {
            await db.StringSetAsync("cart:hello", "world");
            return Store(tree["b"]).Count == 1;
        }, "the keyspace to replicate from a to b", TimeSpan.FromSeconds(30));
        await Task.WhenAll(Enumerable.Range(0, Keys).Select(i => db.StringSetAsync($"cart:{i}", $"value-{i}")));
        await SettledAsync(tree, Keys + 1);
        return tree;
    }

    private static Task SettledAsync(TreeHost tree, int keys) => Poll.UntilAsync(
        () => new[] { "a", "b" }.All(s => Store(tree[s]).Count == keys) && tree.Sites.Values.All(s => Store(s).Stats.Peers.All(p => p.PendingKeys == 0)),
        $"a and b to hold {keys} keys, nothing pending", TimeSpan.FromSeconds(60),
        () => $"a={Store(tree["a"]).Count} b={Store(tree["b"]).Count}");

    [Fact]
    public async Task RestartedSite_ResumesFromWhatWasAcknowledged_OnlyTheNewWritesTravel()
    {
        await using var tree = await StartWithKeysAsync();
        var cloud = tree["cloud"];
        var firstCopy = Towards(cloud, "b").BytesSent;
        var (toB, toA, fromA) = (Towards(cloud, "b").KeysSent, Towards(cloud, "a").KeysSent, Towards(cloud, "a").KeysReceived);
        var (bytesToA, bytesFromA) = (Towards(cloud, "a").BytesSent, Towards(cloud, "a").BytesReceived);

        await tree.RestartAsync("a");
        await using (var redis = await ConnectAsync(tree["a"]))
        {
            Assert.Equal("value-1234", (string?)await redis.GetDatabase().StringGetAsync("cart:1234"));
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => redis.GetDatabase().StringSetAsync($"cart:new-{i}", "n")));
        }

        await SettledAsync(tree, Keys + 11);
        Assert.Equal(10, Towards(cloud, "b").KeysSent - toB);          // only the new writes go on to b
        Assert.InRange(Towards(cloud, "a").KeysReceived - fromA, 10, 30); // the new writes (and a few more, if the keyspace
        Assert.InRange(Towards(cloud, "a").KeysSent - toA, 0, 20);        // arrives after the link is up: a digest catch-up)
        var traffic = Towards(cloud, "a").BytesSent - bytesToA + Towards(cloud, "a").BytesReceived - bytesFromA;
        Assert.True(traffic < firstCopy / 10, $"{traffic} bytes on a's link after the restart; the first copy to b took {firstCopy}");
    }

    [Fact]
    public async Task SiteRemovedFromPlacement_DropsItsReplica_OthersKeepIt()
    {
        await using var tree = await StartWithKeysAsync();
        await PlaceAsync(tree, "a");
        await Poll.UntilAsync(() => Store(tree["b"]).Count == 0, "b to drop its replica", TimeSpan.FromSeconds(30), () => $"b holds {Store(tree["b"]).Count}");
        await using var redis = await ConnectAsync(tree["a"]);
        await redis.GetDatabase().StringSetAsync("cart:after", "x");
        await Poll.UntilAsync(() => Store(tree["a"]).Count == Keys + 2, "a to keep its keys");

        // Dropped for good: not back after a restart, and later writes no longer reach it.
        await tree.RestartAsync("b");
        await using var atB = await ConnectAsync(tree["b"]);
        Assert.False(await atB.GetDatabase().KeyExistsAsync("cart:1"));
        Assert.Equal(0, Store(tree["b"]).Count);
        Assert.Equal(Keys + 2, Store(tree["a"]).Count);
    }
}
