using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Playwright;

/// <summary>
/// The picture in docs/dashboard.md: a real three-tier tree with emulated links, one link cut, the root's page with
/// the cut site selected. <c>Fornax.Bench.Dashboard screenshot docs/images/dashboard-tree.png</c>.
/// </summary>
internal static class Screenshot
{
    public static async Task TakeAsync(IBrowser browser, string path)
    {
        var heartbeat = TimeSpan.FromSeconds(1);
        await using var tree = await TreeHost.StartAsync(new Topology
        {
            Metadata = new ObjectMeta { Name = "three-tier" },
            Spec = new TopologySpec
            {
                Sites =
                [
                    new TopologySite { Name = "cloud", Tier = SiteTiers.Cloud },
                    new TopologySite { Name = "east", Parent = "cloud", Tier = SiteTiers.Region, Link = new LinkProfile { Latency = "30ms", Bandwidth = "100Mbit" } },
                    new TopologySite { Name = "west", Parent = "cloud", Tier = SiteTiers.Region, Link = new LinkProfile { Latency = "45ms", Bandwidth = "100Mbit" } },
                    new TopologySite { Name = "east-1", Parent = "east", Tier = SiteTiers.Edge, Labels = new() { ["city"] = "lyon" }, Link = new LinkProfile { Latency = "80ms", Bandwidth = "10Mbit", Loss = 0.01 } },
                    new TopologySite { Name = "east-2", Parent = "east", Tier = SiteTiers.Edge, Labels = new() { ["city"] = "turin" }, Link = new LinkProfile { Latency = "80ms", Bandwidth = "10Mbit" } },
                    new TopologySite { Name = "west-1", Parent = "west", Tier = SiteTiers.Edge, Labels = new() { ["city"] = "porto" }, Link = new LinkProfile { Latency = "120ms", Bandwidth = "5Mbit" } },
                ],
            },
        }, new TreeHostOptions { HeartbeatInterval = heartbeat });
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "edge-config", """
            apiVersion: fornax.io/v1
            kind: Mission
            metadata:
              name: edge-config
            spec:
              placement:
                selector:
                  matchLabels:
                    fornax.io/tier: edge
              content:
              - apiVersion: fornax.io/v1
                kind: ConfigMap
                metadata:
                  name: edge-config
                data:
                  upload-batch: "100"
            """);
        tree.Cut("east", "east-1");
        await Poll.UntilAsync(
            async () => (await TreeHost.GetAsync(tree["cloud"], "sites", "east-1"))?["status"]?["phase"]?.GetValue<string>() == "Offline",
            "the root shows east-1 offline", TimeSpan.FromSeconds(60));

        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 640 } });
        await page.GotoAsync(tree["cloud"].Node.Endpoints.Api + "/ui/");
        await page.Locator(".card[data-path='cloud/east/east-1']").ClickAsync();
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync("Offline");
        await page.ScreenshotAsync(new() { Path = path });
        Console.WriteLine($"wrote {path}");
    }
}
