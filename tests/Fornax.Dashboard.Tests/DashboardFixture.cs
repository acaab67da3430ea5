using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Dashboard.Tests.Browser;
using Fornax.Node.Trees;
using Fornax.Testing;
using Microsoft.Playwright;

namespace Fornax.Dashboard.Tests;

/// <summary>
/// One browser and one real three-tier tree (cloud → east → shop-1, shop-2) for every test of the class: each
/// Playwright page costs seconds on this machine. Heartbeats are short, and two missed heartbeats mark a child
/// offline, so a cut shows within a few seconds (one missed heartbeat flaps on a busy machine).
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(1);

    public TreeHost Tree { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright _playwright = null!;

    public async Task InitializeAsync()
    {
        Tree = await TreeHost.StartAsync(new Topology
        {
            Metadata = new ObjectMeta { Name = "dashboard" },
            Spec = new TopologySpec
            {
                Sites =
                [
                    new TopologySite { Name = "cloud", Tier = SiteTiers.Cloud },
                    new TopologySite { Name = "east", Parent = "cloud", Tier = SiteTiers.Region, Link = new LinkProfile { Latency = "20ms" } },
                    new TopologySite { Name = "shop-1", Parent = "east", Tier = SiteTiers.Edge, Labels = new() { ["city"] = "lyon" }, Link = new LinkProfile { Latency = "40ms" } },
                    new TopologySite { Name = "shop-2", Parent = "east", Tier = SiteTiers.Edge, Link = new LinkProfile { Latency = "40ms" } },
                ],
            },
        }, new TreeHostOptions { HeartbeatInterval = Heartbeat, MissedHeartbeats = 2 });
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    public string RootUi => Tree["cloud"].Node.Endpoints.Api + "/ui/";

    /// <summary>A site's Site object for <paramref name="name"/> as its API serves it.</summary>
    public static async Task<JsonObject?> SiteAsync(TreeSite at, string name) =>
        await at.Http.GetFromJsonAsync<JsonObject>($"/apis/fornax.io/v1/namespaces/default/sites/{name}");

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Tree is not null)
        {
            await Tree.DisposeAsync();
        }
    }
}
