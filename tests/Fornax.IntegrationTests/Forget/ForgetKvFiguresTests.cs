using System.Text.Json.Nodes;
using Fornax.Kv.Engine;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Fornax.IntegrationTests.Attach.AttachHarness;
using static Fornax.IntegrationTests.Forget.ForgetHarness;

namespace Fornax.IntegrationTests.Forget;

/// <summary>
/// A forgotten site's KV figures leave the tree with it: the <c>Keyspace</c> status (what <c>fornax get keyspaces -o
/// wide</c> shows) at its parent and at the root no longer lists it. Real sites in process, a 200 ms heartbeat.
/// </summary>
public sealed class ForgetKvFiguresTests
{
    /// <summary>The site paths the keyspace's status lists at <paramref name="site"/>.</summary>
    private static async Task<List<string>> StatusSitesAsync(TreeSite site) =>
        (await TreeHost.GetAsync(site, "keyspaces", "carts"))?["status"]?["sites"] is JsonObject sites ? [.. sites.Select(s => s.Key).Order()] : [];

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_AChildHoldingAKeyspace_ItsFiguresLeaveTheParentAndTheRoot()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "east", "east-1"));
        var (cloud, east) = (tree["cloud"], tree["east"]);
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(cloud, "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", "east, east-1"));
        var store = tree["east-1"].Node.Services.GetRequiredService<IKvStore>();
        store.Execute(0, static (tx, _) => { tx.SetString("cart:1"u8, "x"u8, null, false); return 0; }, out _);
        await WaitAsync(async () => (await StatusSitesAsync(cloud)).Contains("cloud/east/east-1") && (await StatusSitesAsync(east)).Contains("cloud/east/east-1"),
            "cloud and east to show east-1's figures", async () => string.Join(", ", await StatusSitesAsync(cloud)));

        await tree.StopAsync("east-1");
        var (status, body) = await ForgetAsync(east, "east-1", force: true);
        Assert.True(status == 200, body.ToJsonString());

        await WaitAsync(async () => !(await StatusSitesAsync(cloud)).Contains("cloud/east/east-1") && !(await StatusSitesAsync(east)).Contains("cloud/east/east-1"),
            "east-1's figures to leave east and cloud", async () => $"cloud: {string.Join(", ", await StatusSitesAsync(cloud))}; east: {string.Join(", ", await StatusSitesAsync(east))}");
        Assert.Contains("cloud/east", await StatusSitesAsync(cloud)); // the rest stays
    }
}
