using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Hosting;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Fornax.Dashboard.Tests;

/// <summary>The dashboard in a real browser (Debian's chromium) against a real in-process tree.</summary>
[Trait("Category", "Slow")]
public sealed partial class DashboardPageTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private static readonly string[] TreePaths = ["cloud", "cloud/east", "cloud/east/shop-1", "cloud/east/shop-2"];

    [Fact]
    public async Task TheTreeShowsEverySite_ACutLinkTurnsItsSiteDownLive_AndALostConnectionShows()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(fixture.RootUi);
        var cards = page.Locator(".card[data-path]");
        await Expect(cards).ToHaveCountAsync(TreePaths.Length);
        Assert.Equal(TreePaths, (await cards.EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.path)")).Order(StringComparer.Ordinal));
        var shop1 = page.Locator(".card[data-path='cloud/east/shop-1']");
        await Expect(shop1).ToHaveAttributeAsync("data-health", "ok");
        await Expect(shop1.Locator(".tier")).ToHaveTextAsync("edge");
        await Expect(shop1.Locator(".link")).ToHaveTextAsync("⇡ 40ms · up");
        await Expect(shop1.Locator(".labels")).ToHaveTextAsync("city=lyon");
        await Expect(shop1.Locator(".heartbeat")).ToContainTextAsync("ago");
        await shop1.ClickAsync();
        await Expect(page.Locator("#detail")).ToContainTextAsync("cloud/east/shop-1");
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        fixture.Tree.Cut("east", "shop-1");
        var cut = Stopwatch.StartNew();
        // The root's API has it once east's pruner declared shop-1 offline and east's heartbeat carried that up.
        await Poll.UntilAsync(
            async () => (await DashboardFixture.SiteAsync(fixture.Tree["cloud"], "shop-1"))?["status"]?["phase"]?.GetValue<string>() == "Offline",
            "the root's API shows shop-1 offline", TimeSpan.FromSeconds(30));
        var apiHasIt = cut.Elapsed;
        await Expect(shop1).ToHaveAttributeAsync("data-health", "down", new() { Timeout = (float)(2 * DashboardFixture.Heartbeat).TotalMilliseconds });
        await Expect(shop1.Locator(".link")).ToHaveTextAsync("⇡ 40ms · down");
        output.WriteLine($"cut → root API offline {apiHasIt.TotalMilliseconds:F0} ms → page {cut.Elapsed.TotalMilliseconds:F0} ms (heartbeat {DashboardFixture.Heartbeat.TotalMilliseconds} ms)");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");
        await Expect(page.Locator(".card[data-path='cloud/east/shop-2']")).ToHaveAttributeAsync("data-health", "ok");

        fixture.Tree.Heal("east", "shop-1");
        await Expect(shop1).ToHaveAttributeAsync("data-health", "ok", new() { Timeout = 30_000 });

        // The page's own connection: the site goes away, the page says so; it comes back, the page says that too.
        var connection = page.Locator("#connection");
        await Expect(connection).ToHaveAttributeAsync("data-state", "live");
        await fixture.Tree.StopAsync("cloud");
        await Expect(connection).ToHaveAttributeAsync("data-state", "lost", new() { Timeout = 15_000 });
        await Expect(connection).ToContainTextAsync("connection lost");
        await fixture.Tree.StartAgainAsync("cloud");
        await Expect(connection).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 30_000 });
        await Expect(connection).ToHaveTextAsync("reconnected · live");
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page reloaded");
        await fixture.Tree.WaitConnectedAsync(TimeSpan.FromSeconds(30));
        await page.CloseAsync();
    }

    [Fact]
    public async Task InvalidYamlNamesTheFieldAndAppliesNothing_AMissionAppliedFromThePageShowsEachSitesState()
    {
        var root = fixture.Tree["cloud"];
        var page = await NewPageAsync();
        await page.GotoAsync(fixture.RootUi + "#apply");
        var result = page.Locator("#apply-result");

        await page.Locator("#apply-text").FillAsync(Mission("web", "Like"));
        await page.Locator("#apply-button").ClickAsync();
        await Expect(result).ToHaveClassAsync("result error");
        await Expect(result.Locator("li[data-field='spec.placement.selector.matchExpressions[0].operator']")).ToContainTextAsync("\"Like\" is not one of In, NotIn, Exists, DoesNotExist");
        await Expect(result).ToContainTextAsync("422 Invalid");
        Assert.Equal(HttpStatusCode.NotFound, (await root.Http.GetAsync("/apis/fornax.io/v1/namespaces/default/missions/web")).StatusCode);

        await page.Locator("#apply-text").FillAsync(Mission("web", "In"));
        await page.Locator("#apply-button").ClickAsync();
        await Expect(result).ToHaveTextAsync("mission.fornax.io/web created");

        // The state map the root's API holds once every site reported, as `fornax describe mission web` prints it.
        Dictionary<string, string> states = [];
        await Poll.UntilAsync(async () =>
        {
            states = await TreeHost.StatesAsync(root, "web");
            return states.Count == TreePaths.Length && states["cloud/east/shop-1"] == "Active" && states["cloud/east/shop-2"] == "Active";
        }, "every site's state for mission web at the root", TimeSpan.FromSeconds(30));
        Assert.Equal("not match", states["cloud/east"]);

        await page.Locator("#nav a[data-view='missions']").ClickAsync();
        await page.Locator("tr[data-mission='web']").ClickAsync();
        foreach (var (path, state) in states)
        {
            await Expect(page.Locator($"tr[data-path='{path}'] td").Nth(1)).ToHaveTextAsync(state);
        }

        await Expect(page.Locator("tr.describe")).ToContainTextAsync("configmap.fornax.io/web");
        var delivered = await TreeHost.GetAsync(fixture.Tree["shop-1"], "configmaps", "web");
        Assert.Equal("hi", delivered?["data"]?["greeting"]?.GetValue<string>());
        await page.CloseAsync();
    }

    [Fact]
    public async Task ASitesPageCutsAndHealsItsOwnUplink_AndPointsToTheSitesPageForAnyOtherLink()
    {
        var shop2 = fixture.Tree["shop-2"];
        var page = await NewPageAsync();
        await page.GotoAsync(shop2.Node.Endpoints.Api + "/ui/");
        await page.Locator(".card[data-path='cloud/east/shop-2']").ClickAsync();
        var detail = page.Locator("#detail");
        await detail.Locator("button[data-action='cut']").ClickAsync();
        await Expect(detail.Locator(".result")).ToHaveTextAsync("link east ↔ shop-2 cut");
        await Poll.UntilAsync(
            async () => (await DashboardFixture.SiteAsync(fixture.Tree["east"], "shop-2"))?["status"]?["phase"]?.GetValue<string>() == "Offline",
            "east to mark shop-2 offline after the cut from its page", TimeSpan.FromSeconds(30));

        await detail.Locator("button[data-action='heal']").ClickAsync();
        await Expect(detail.Locator(".result")).ToHaveTextAsync("link east ↔ shop-2 healed");
        await Poll.UntilAsync(
            async () => (await DashboardFixture.SiteAsync(fixture.Tree["east"], "shop-2"))?["status"]?["phase"]?.GetValue<string>() == "Ready",
            "east to see shop-2 again after the heal from its page", TimeSpan.FromSeconds(30));

        // At east's page shop-2's link is another site's: the detail links to shop-2's own page instead of offering buttons.
        await page.GotoAsync(fixture.Tree["east"].Node.Endpoints.Api + "/ui/");
        await page.Locator(".card[data-path='cloud/east/shop-2']").ClickAsync();
        await Expect(detail).ToContainTextAsync("Cut or heal this link from shop-2's dashboard");
        await Expect(detail.Locator("button[data-action='cut']")).ToHaveCountAsync(0);
        await Expect(detail.Locator($"a[href='{shop2.Node.Endpoints.Api}/ui/#tree']")).ToHaveCountAsync(1);
        await page.CloseAsync();
    }

    [Fact]
    public async Task WithoutAuthorityThePageSaysWhatIsMissingAndActionsAreRefused()
    {
        var data = Directory.CreateTempSubdirectory("fornax-dashboard-");
        var node = await SiteNode.StartAsync(new NodeOptions { DataDirectory = data.FullName, Name = "guarded", TrustLoopback = false, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
        try
        {
            var page = await NewPageAsync();
            await page.GotoAsync(node.Endpoints.Api + "/ui/#apply");
            await Expect(page.Locator("#auth")).ToBeVisibleAsync();
            await Expect(page.Locator("#auth-message")).ToContainTextAsync("Read-only: the site API needs a bearer token");
            await Expect(page.Locator("#connection")).ToHaveTextAsync("no authority");

            await page.Locator("#apply-button").ClickAsync();
            var result = page.Locator("#apply-result");
            await Expect(result).ToContainTextAsync("refused (401 Unauthorized)");
            await Expect(result).ToContainTextAsync("Nothing was changed");

            var token = await node.Services.GetRequiredService<JoinTokenIssuer>().CreateUserTokenAsync();
            using var http = new HttpClient { BaseAddress = new Uri(node.Endpoints.Api) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
            var missions = await http.GetFromJsonAsync<JsonObject>("/apis/fornax.io/v1/missions");
            Assert.Empty(missions!["items"]!.AsArray());

            await page.Locator("#token").FillAsync(token.Token);
            await page.Locator("#token-form button[type='submit']").ClickAsync();
            await Expect(page.Locator("#auth")).ToBeHiddenAsync();
            await page.Locator("#apply-button").ClickAsync();
            await Expect(result).ToHaveTextAsync("mission.fornax.io/hello created");
            await page.Locator("#nav a[data-view='tree']").ClickAsync();
            await Expect(page.Locator(".card[data-path='guarded']")).ToHaveAttributeAsync("data-health", "ok");
            await page.CloseAsync();
        }
        finally
        {
            await node.DisposeAsync();
            data.Delete(recursive: true);
        }
    }

    /// <summary>A page whose script errors and console lines go to the test output.</summary>
    private async Task<IPage> NewPageAsync()
    {
        var page = await fixture.Browser.NewPageAsync();
        page.Console += (_, message) => output.WriteLine($"console {message.Type}: {message.Text}");
        page.PageError += (_, error) => output.WriteLine($"page error: {error}");
        return page;
    }

    private static string Mission(string name, string op) => $"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata:
          name: {name}
        spec:
          placement:
            selector:
              matchExpressions:
              - key: fornax.io/tier
                operator: {op}
                values: [edge]
          content:
          - apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata:
              name: {name}
            data:
              greeting: hi
        """;
}
