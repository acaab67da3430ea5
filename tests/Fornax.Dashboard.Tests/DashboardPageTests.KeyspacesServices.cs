using System.Net;
using Fornax.Node.Trees;
using Fornax.Testing;
using StackExchange.Redis;
using static Microsoft.Playwright.Assertions;

namespace Fornax.Dashboard.Tests;

/// <summary>
/// The Keyspaces and Services tabs with real data: a keyspace replicated between the two shops and a Service at
/// shop-1, seen from the root's page. Keys written over the RESP port show up per site without a reload. Part of
/// <see cref="DashboardPageTests"/> to share its tree and browser (each costs seconds).
/// </summary>
public sealed partial class DashboardPageTests
{
    private const string CacheService = "apiVersion: fornax.io/v1\nkind: Service\nmetadata: {name: cache}\nspec:\n  backends:\n    - {site: shop-1, address: \"127.0.0.1:6379\"}\n";

    private static readonly Microsoft.Playwright.LocatorAssertionsToHaveTextOptions Slow = new() { Timeout = 30_000 };

    [Fact]
    public async Task KeyspacesShowEachSitesKeysLive_ServicesShowTheirBackendsHealthAndRoute()
    {
        await fixture.Tree.WaitConnectedAsync(TimeSpan.FromSeconds(30));
        var root = fixture.Tree["cloud"];
        await TreeHost.ApplyAsync(root, "missions", "carts", TestTrees.KeyspaceMission("carts", "cart:", "shop-1, shop-2"));
        await TreeHost.ApplyAsync(fixture.Tree["shop-1"], "services", "cache", CacheService);
        var page = await NewPageAsync();
        await page.GotoAsync(fixture.RootUi + "#keyspaces");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { new IPEndPoint(IPAddress.Loopback, new Uri(fixture.Tree["shop-1"].Node.Endpoints.Resp!).Port) },
            AbortOnConnectFail = true,
        });
        for (var i = 0; i < 3; i++)
        {
            await redis.GetDatabase().StringSetAsync($"cart:{i}", "x");
        }

        // Written at shop-1, replicated through east to shop-2; each site's figures travel up to the root's Keyspace.
        var shop2 = page.Locator("tr[data-keyspace='carts'][data-site='cloud/east/shop-2']");
        await Expect(shop2.Locator("td.keys")).ToHaveTextAsync("3", Slow);
        await Expect(shop2.Locator("td").Nth(3)).ToHaveTextAsync("replica");
        await Expect(page.Locator("tr[data-keyspace='carts'][data-site='cloud/east'] td").Nth(3)).ToHaveTextAsync("relay", Slow);
        await Expect(page.Locator("tr.keyspace[data-keyspace='carts'] td").Nth(1)).ToHaveTextAsync("cart:");
        await redis.GetDatabase().StringSetAsync("cart:3", "y");
        await Expect(page.Locator("tr[data-keyspace='carts'][data-site='cloud/east/shop-1'] td.keys")).ToHaveTextAsync("4", Slow);
        await Expect(shop2.Locator("td.keys")).ToHaveTextAsync("4", Slow);
        await Expect(shop2.Locator("td.pending")).ToHaveTextAsync("0", Slow);

        // The root's portal learns shop-1 serves cache; a request from the root goes straight there.
        await page.Locator("#nav a[data-view='services']").ClickAsync();
        var cache = page.Locator("tr[data-service='default/cache']");
        await Expect(cache.Locator("td.backends")).ToHaveTextAsync("cloud/east/shop-1 (healthy)", Slow);
        await Expect(cache.Locator("td.route")).ToHaveTextAsync("cloud → cloud/east/shop-1");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");
        await page.CloseAsync();

        await root.Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/missions/carts");
        await fixture.Tree["shop-1"].Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/services/cache");
    }
}
