using System.Net;
using System.Security.Cryptography;
using Fornax.Node.Trees;
using Fornax.Testing;
using static Microsoft.Playwright.Assertions;

namespace Fornax.Dashboard.Tests;

/// <summary>
/// The Functions tab with real calls (a function deployed at shop-2 and invoked at its ingress) and the Delete button
/// of the Objects tab. Part of <see cref="DashboardPageTests"/> to share its tree and browser.
/// </summary>
public sealed partial class DashboardPageTests
{
    [Fact]
    public async Task FunctionsShowASitesCallsLive_AnObjectDeletedFromThePageIsGone()
    {
        await fixture.Tree.WaitConnectedAsync(TimeSpan.FromSeconds(30));
        var shop2 = fixture.Tree["shop-2"];
        var module = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "guests", "hello.wasm"));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module));
        using (var blob = new ByteArrayContent(module))
        {
            blob.Headers.ContentType = new("application/octet-stream");
            (await shop2.Http.PutAsync($"/blobs/{digest}", blob)).EnsureSuccessStatusCode();
        }

        await TreeHost.ApplyAsync(shop2, "functions", "hello", $"apiVersion: fornax.io/v1\nkind: Function\nmetadata: {{name: hello}}\nspec:\n  module: {digest}\n");
        await Poll.UntilAsync(async () => (await TreeHost.GetAsync(shop2, "functions", "hello"))?["status"]?["phase"]?.GetValue<string>() == "Ready", "hello to be Ready at shop-2");
        using var ingress = new HttpClient { BaseAddress = new Uri(shop2.Node.Endpoints.Ingress) };
        async Task InvokeAsync(int times)
        {
            for (var i = 0; i < times; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await ingress.GetAsync("/fn/hello")).StatusCode);
            }
        }

        await InvokeAsync(3);
        var page = await NewPageAsync();
        await page.GotoAsync(shop2.Node.Endpoints.Api + "/ui/#functions");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        var row = page.Locator("tr[data-function='hello'] td");
        await Expect(row.Nth(3)).ToHaveTextAsync("3", new() { Timeout = 10_000 });
        await Expect(row.Nth(4)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+(\.\d+)? ms$"));
        await Expect(row.Nth(6)).ToHaveTextAsync("0");
        await Expect(row.Nth(7)).ToHaveTextAsync("3");

        // More calls show at the next tick, without a reload, with a rate.
        await InvokeAsync(2);
        await Expect(row.Nth(3)).ToHaveTextAsync("5", new() { Timeout = 10_000 });
        await Expect(row.Nth(2)).Not.ToHaveTextAsync("—", new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");

        // Delete from the Objects tab, after the confirmation.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.Locator("#nav a[data-view='objects']").ClickAsync();
        await page.Locator("tr[data-object='functions/hello'] button[data-action='delete']").ClickAsync();
        await Expect(page.Locator("#view .result")).ToHaveTextAsync("function.fornax.io/hello deleted");
        Assert.Null(await TreeHost.GetAsync(shop2, "functions", "hello"));
        await Expect(page.Locator("tr[data-object='functions/hello']")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }
}
