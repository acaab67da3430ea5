using System.Net;
using System.Text;
using Fornax.Core.Objects;
using Fornax.Kv.Engine;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Fornax.IntegrationTests;

/// <summary>
/// KV replication over real site links (mutual TLS, emulated link cut): a keyspace placed at two edge sites by a
/// mission at the root replicates through the root, which only relays; writes on both sides of a cut converge.
/// </summary>
public sealed class KvReplicationTests
{
    private static IKvStore Store(TreeSite site) => site.Node.Services.GetRequiredService<IKvStore>();

    private static string? Get(TreeSite site, string key)
    {
        Store(site).Execute(key, static (tx, k) => tx.TryGetString(Encoding.UTF8.GetBytes(k), out var v) ? Encoding.UTF8.GetString(v) : null, out var value);
        return value;
    }

    private static void Write(TreeSite site, Func<IKvTransaction, object?> body) => Store(site).Execute(body, static (tx, b) => b(tx), out _);

    [Fact]
    public async Task Keyspace_ReplicatesBetweenEdges_AcrossACutAndHeal()
    {
        await using var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", "a, b"));

        // Writes at a reach b (once the keyspace arrived everywhere and the streams are up).
        await Poll.UntilAsync(() =>
        {
            Write(tree["a"], tx => { tx.SetString("cart:hello"u8, "world"u8, null, false); return null; });
            return Get(tree["b"], "cart:hello") == "world";
        }, "cart:hello to reach b", TimeSpan.FromSeconds(30));

        Write(tree["a"], tx => { tx.SetString("local:only"u8, "a"u8, null, false); return null; });
        tree.Cut("cloud", "a");
        Write(tree["a"], tx => tx.IncrementBy("cart:n"u8, 2));
        Write(tree["b"], tx => tx.IncrementBy("cart:n"u8, 40));
        Write(tree["a"], tx => tx.SetAdd("cart:s"u8, "from-a"u8));
        Write(tree["b"], tx => tx.SetAdd("cart:s"u8, "from-b"u8));
        Assert.Equal("2", Get(tree["a"], "cart:n"));
        tree.Heal("cloud", "a");

        await Poll.UntilAsync(() => Get(tree["a"], "cart:n") == "42" && Get(tree["b"], "cart:n") == "42",
            "the counter to converge to 42 at both edges", TimeSpan.FromSeconds(60),
            () => $"a={Get(tree["a"], "cart:n")} b={Get(tree["b"], "cart:n")}");
        foreach (var site in new[] { "a", "b" })
        {
            Store(tree[site]).Execute(0, static (tx, _) => tx.SetCount("cart:s"u8), out var members);
            Assert.Equal(2, members);
        }

        Assert.Null(Get(tree["b"], "local:only"));
        Assert.Contains(Store(tree["a"]).Stats.Peers, p => p.Site == "cloud");
        var metrics = await tree["cloud"].Http.GetStringAsync("/metrics");
        Assert.Contains("fornax_kv_replication_lag_seconds{otel_scope_name=\"Fornax.Kv\",peer=\"a\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("fornax_kv_replication_pending{otel_scope_name=\"Fornax.Kv\",peer=\"b\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("fornax_kv_keys{otel_scope_name=\"Fornax.Kv\"} 3", metrics, StringComparison.Ordinal); // the relay keeps what it relays
    }

    [Fact]
    public async Task Wait_OverTheRespPort_CountsTheParentOnceItHoldsTheWrite_AndNobodyWhileTheLinkIsCut()
    {
        await using var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", "a, b"));
        var port = new Uri(tree["a"].Node.Endpoints.Resp!).Port;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, port) },
            AbortOnConnectFail = true,
            AsyncTimeout = (int)Poll.DefaultDeadline.TotalMilliseconds, // WAIT 1 0 below blocks until the heal
        });
        var db = redis.GetDatabase();

        // Once the keyspace is placed at a and replication runs, a write at a is held by its parent, the relay.
        await Poll.UntilAsync(async () =>
        {
            await db.StringSetAsync("cart:w", "1");
            return (long)await db.ExecuteAsync("WAIT", 1, 1000) == 1;
        }, "WAIT at a to count the cloud", TimeSpan.FromSeconds(30));
        Assert.Equal("1", Get(tree["cloud"], "cart:w"));

        tree.Cut("cloud", "a");
        await db.StringSetAsync("cart:cut", "x");
        Assert.Equal(0, (long)await db.ExecuteAsync("WAIT", 1, 300));
        Assert.Null(Get(tree["cloud"], "cart:cut"));

        var waiting = db.ExecuteAsync("WAIT", 1, 0);
        tree.Heal("cloud", "a");
        Assert.Equal(1, (long)await waiting);
        Assert.Equal("x", Get(tree["cloud"], "cart:cut"));
    }
}
