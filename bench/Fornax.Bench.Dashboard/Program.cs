// The dashboard with a big tree, measured in the browser (Debian's chromium): time to first render (navigation start
// to every site's card on screen) and the live update (a Site's status written through the API → its card recoloured;
// timed in the page from the API's answer to the DOM change). One site serves the tree: its store holds a Site object
// for every site, as a root's does from heartbeats; the page's cost is the same whoever wrote them.
// Usage: Fornax.Bench.Dashboard [sites=500] [updates=30] [loads=5]  |  Fornax.Bench.Dashboard screenshot FILE.png
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Dashboard.Tests.Browser;
using Fornax.Node.Hosting;
using Microsoft.Playwright;

if (args is ["screenshot", var file])
{
    var (shooter, chromium) = await Chromium.LaunchAsync();
    await Screenshot.TakeAsync(chromium, file);
    await chromium.DisposeAsync();
    shooter.Dispose();
    return;
}

var sites = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var updates = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var loads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;

var (playwright, browser) = await Chromium.LaunchAsync();
try
{
    Console.WriteLine($"load average: {File.ReadAllText("/proc/loadavg").Trim()}");
    Console.WriteLine("| sites | first render p50 (ms) | max (ms) | of which snapshot → drawn, p50 (ms) | live update p50 (ms) | p90 (ms) | max (ms) |");
    Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var n in new[] { 10, sites })
    {
        await MeasureAsync(browser, n, updates, loads);
    }
}
finally
{
    await browser.DisposeAsync();
    playwright.Dispose();
}

static async Task MeasureAsync(IBrowser browser, int count, int updates, int loads)
{
    var data = Directory.CreateTempSubdirectory("fornax-bench-dashboard-");
    var node = await SiteNode.StartAsync(new NodeOptions { DataDirectory = data.FullName, Name = "cloud", LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
    try
    {
        using var http = new HttpClient { BaseAddress = new Uri(node.Endpoints.Api) };
        var edges = await WriteTreeAsync(http, count);
        var firstRenders = new List<double>();
        var drawing = new List<double>();
        for (var i = 0; i < loads; i++)
        {
            var page = await browser.NewPageAsync();
            await page.GotoAsync(node.Endpoints.Api + "/ui/");
            await page.WaitForFunctionAsync($"() => window.fornaxDashboard.firstRenderMs !== null && document.querySelectorAll('.card').length === {count}", null, new() { Timeout = 60_000 });
            firstRenders.Add(await page.EvaluateAsync<double>("() => window.fornaxDashboard.firstRenderMs"));
            drawing.Add(await page.EvaluateAsync<double>("() => window.fornaxDashboard.firstRenderMs - window.fornaxDashboard.snapshotMs"));
            if (i < loads - 1)
            {
                await page.CloseAsync();
                continue;
            }

            // In the page: write a Site's status (Offline, then Ready again), and time from the API's answer to the card's new colour.
            var latencies = await page.EvaluateAsync<double[]>(UpdateScript, new { edges = edges.Take(updates).ToArray() });
            Array.Sort(latencies);
            firstRenders.Sort();
            Console.WriteLine($"| {count} | {Median(firstRenders):F0} | {firstRenders[^1]:F0} | {Median(drawing):F0} | {Median(latencies):F0} | {latencies[(int)(latencies.Length * 0.9)]:F0} | {latencies[^1]:F0} |");
            await page.CloseAsync();
        }
    }
    finally
    {
        await node.DisposeAsync();
        data.Delete(recursive: true);
    }
}

static double Median(IReadOnlyList<double> sorted) => sorted.Count == 0 ? double.NaN : sorted.Order().ElementAt(sorted.Count / 2);

// A cloud root, ten regions, the rest edge sites spread over the regions.
static async Task<List<string>> WriteTreeAsync(HttpClient http, int count)
{
    var regions = Math.Min(10, Math.Max(1, (count - 1) / 10));
    var edges = new List<string>();
    for (var i = 0; i < count - 1; i++)
    {
        var region = i < regions;
        var name = region ? $"region-{i}" : $"edge-{i}";
        var parent = region ? "cloud" : $"region-{i % regions}";
        var path = region ? $"cloud/{name}" : $"cloud/{parent}/{name}";
        await WriteSiteAsync(http, name, parent, region ? "region" : "edge", path, phase: "Ready");
        if (!region)
        {
            edges.Add(path);
        }
    }

    return edges;
}

static async Task WriteSiteAsync(HttpClient http, string name, string parent, string tier, string path, string phase)
{
    var site = new JsonObject
    {
        ["apiVersion"] = "fornax.io/v1",
        ["kind"] = "Site",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["fornax.io/tier"] = tier, ["fornax.io/parent"] = parent, ["fornax.io/link"] = "emulated", ["fornax.io/link-latency"] = "40ms" },
        },
        ["spec"] = new JsonObject { ["parent"] = parent, ["tier"] = tier },
    };
    (await http.PutAsJsonAsync($"/apis/fornax.io/v1/namespaces/default/sites/{name}", site)).EnsureSuccessStatusCode();
    var status = new JsonObject { ["status"] = Status(path, phase) };
    (await http.PutAsJsonAsync($"/apis/fornax.io/v1/namespaces/default/sites/{name}/status", status)).EnsureSuccessStatusCode();
}

static JsonObject Status(string path, string phase) => new()
{
    ["path"] = path,
    ["healthy"] = phase == "Ready",
    ["phase"] = phase,
    ["lastHeartbeat"] = DateTimeOffset.UtcNow,
};

internal static partial class Program
{
    private const string UpdateScript = """
        async ({ edges }) => {
          const latencies = [];
          for (let i = 0; i < edges.length; i++) {
            const path = edges[i];
            const name = path.split('/').pop();
            const card = document.querySelector(`.card[data-path="${path}"]`);
            const want = card.dataset.health === 'ok' ? 'down' : 'ok';
            const phase = want === 'down' ? 'Offline' : 'Ready';
            const changed = new Promise(resolve => {
              const observer = new MutationObserver(() => {
                if (card.dataset.health === want) { observer.disconnect(); resolve(performance.now()); }
              });
              observer.observe(card, { attributes: true, attributeFilter: ['data-health'] });
            });
            const response = await fetch(`/apis/fornax.io/v1/namespaces/default/sites/${name}/status`, {
              method: 'PUT',
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ status: { path, healthy: phase === 'Ready', phase, lastHeartbeat: new Date().toISOString() } }),
            });
            if (!response.ok) throw new Error(`status write: ${response.status}`);
            const apiHasIt = performance.now();
            // Below zero: the feed recoloured the card before the writer's own answer came back.
            latencies.push(Math.max(0, (await changed) - apiHasIt));
          }
          return latencies;
        }
        """;
}
