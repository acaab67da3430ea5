using System.Net;
using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Fornax.Testing;
using StackExchange.Redis;

namespace Fornax.Cli.Tests;

/// <summary>
/// <c>fornax get keyspaces</c> at the root of a real tree (cloud relaying between two edge replicas): the figures of the
/// edges travel up the links, and a cut shows as pending changes and lag at the site that cannot deliver them.
/// </summary>
public sealed class GetKeyspacesWideTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    private static async Task<ConnectionMultiplexer> ConnectAsync(TreeSite site)
    {
        var port = new Uri(site.Node.Endpoints.Resp!).Port;
        return await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { new IPEndPoint(IPAddress.Loopback, port) }, AbortOnConnectFail = true });
    }

    /// <summary>The wide table's rows by site: KEYS, BYTES, LAG, PENDING (cells 4 to 7).</summary>
    private async Task<Dictionary<string, string[]>> RowsAsync(TreeSite root)
    {
        var result = await _cli.RunAsync("get", "keyspaces", "-o", "wide", "--site", root.Node.Endpoints.Api);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["NAME", "PREFIX", "SITE", "ROLE", "KEYS", "BYTES", "LAG", "PENDING", "AGE", "REASON"], result.StdoutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return result.StdoutLines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToDictionary(c => c[2]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task GetKeyspacesWide_WritesAtAnEdgeAndACut_ShowsKeysAtTheRootAndPendingAndLagUntilTheHeal()
    {
        await using var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", "a, b"));
        await using var a = await ConnectAsync(tree["a"]);
        await using var b = await ConnectAsync(tree["b"]);
        for (var i = 0; i < 10; i++)
        {
            await a.GetDatabase().StringSetAsync($"cart:{i}", "x");
        }

        await a.GetDatabase().StringSetAsync("local:only", "not in a keyspace");

        // Ten keys at every site: written at a, relayed by cloud, replicated to b; nothing pending once acknowledged.
        Dictionary<string, string[]> rows = [];
        Task<string> Describe() => Task.FromResult(string.Join(" | ", rows.Values.Select(r => string.Join(' ', r))));
        await Poll.UntilAsync(async () =>
        {
            rows = await RowsAsync(tree["cloud"]);
            return rows.Count == 3 && rows.Values.All(r => r[4] == "10" && r[6] == "0s" && r[7] == "0");
        }, "ten keys and nothing pending at a, b and cloud", TimeSpan.FromSeconds(60), Describe);
        Assert.Equal(["replica", "replica", "relay"], new[] { rows["cloud/a"][3], rows["cloud/b"][3], rows["cloud"][3] });
        Assert.Equal(["placement", "placement", "relay"], new[] { rows["cloud/a"][9], rows["cloud/b"][9], rows["cloud"][9] });

        // Cut a off: what b writes waits at cloud for a, and ages there.
        tree.Cut("cloud", "a");
        for (var i = 0; i < 5; i++)
        {
            await b.GetDatabase().StringIncrementAsync($"cart:n{i}");
        }

        await Poll.UntilAsync(async () =>
        {
            rows = await RowsAsync(tree["cloud"]);
            return rows["cloud"][7] == "5" && rows["cloud"][6] != "0s" && rows["cloud/b"][4] == "15";
        }, "five changes pending at cloud, with a lag", TimeSpan.FromSeconds(60), Describe);
        var lag = int.Parse(rows["cloud"][6].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);
        await Poll.UntilAsync(async () =>
        {
            rows = await RowsAsync(tree["cloud"]);
            return int.Parse(rows["cloud"][6].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture) > lag;
        }, "the lag at cloud to grow while the link is cut", TimeSpan.FromSeconds(30), Describe);
        var metrics = await tree["cloud"].Http.GetStringAsync("/metrics");
        Assert.Contains("fornax_kv_keyspace_replication_pending{otel_scope_name=\"Fornax.Kv\",prefix=\"cart:\"} 5", metrics, StringComparison.Ordinal);

        // Heal: a catches up, every site holds fifteen keys, nothing pending, no lag.
        tree.Heal("cloud", "a");
        await Poll.UntilAsync(async () =>
        {
            rows = await RowsAsync(tree["cloud"]);
            return rows.Values.All(r => r[4] == "15" && r[6] == "0s" && r[7] == "0");
        }, "fifteen keys and nothing pending after the heal", TimeSpan.FromSeconds(60), Describe);

        var narrow = await _cli.RunAsync("get", "keyspaces", "--site", tree["cloud"].Node.Endpoints.Api);
        Assert.Equal(["carts", "cart:", "2", "15"], narrow.StdoutLines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..4]);
        metrics = await tree["cloud"].Http.GetStringAsync("/metrics");
        Assert.Contains("fornax_kv_keyspace_keys{otel_scope_name=\"Fornax.Kv\",prefix=\"cart:\"} 15", metrics, StringComparison.Ordinal);
    }
}
