using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Restart;

/// <summary>
/// A power cut can leave a file under <c>DATA/links/</c> empty, truncated or garbage. A site restarted from such a data
/// directory rebuilds what it derives (the parent bookmark, the missions held back, the mission index) and converges
/// with its parent; what it cannot rebuild (where its parent is) stops it with one message naming the file and the way
/// out. Real sites in process (<c>cloud</c> → <c>shop</c>), real stores and links, a 200 ms heartbeat.
/// </summary>
public sealed class TornResumeFileTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private const string Mission = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: NAME}
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: NAME-config}
              data: {owner: OWNER}
        """;

    public enum Tear
    {
        Empty,
        Truncated,
        Garbage,
    }

    private static void TearFile(string file, Tear how)
    {
        Assert.True(File.Exists(file), $"{file} must exist before it is torn");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, how switch
        {
            Tear.Empty => [],
            Tear.Truncated => bytes[..(bytes.Length / 2)],
            _ => [0, 0, 0x7b, 0xff, .. Encoding.ASCII.GetBytes("not json at all")],
        });
    }

    private static Task ApplyAsync(TreeSite site, string name, string owner) =>
        TreeHost.ApplyAsync(site, "missions", name, Mission.Replace("NAME", name).Replace("OWNER", owner));

    private static async Task<string?> OwnerAsync(TreeSite site, string name) =>
        (await TreeHost.GetAsync(site, "configmaps", $"{name}-config"))?["data"]?["owner"]?.GetValue<string>();

    private static Task WaitShopActiveAsync(TreeSite cloud, string mission) =>
        Poll.UntilAsync(async () => (await TreeHost.StatesAsync(cloud, mission)).GetValueOrDefault("cloud/shop") == MissionStates.Active,
            $"cloud to see '{mission}' Active at shop", Deadline, async () => string.Join(", ", await TreeHost.StatesAsync(cloud, mission)));

    private static string Links(TreeSite site, string file) => Path.Combine(site.DataDirectory, "links", file);

    private static void AssertReadable(string file) => Assert.True(IsReadable(file), $"{file} must hold JSON again");

    private static bool IsReadable(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) is JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Tear.Empty)]
    [InlineData(Tear.Truncated)]
    [InlineData(Tear.Garbage)]
    public async Task TornUplinkBookmark_SiteRestarts_AndGetsWhatChangedMeanwhile(Tear how)
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "shop"));
        var (cloud, shop) = (tree["cloud"], tree["shop"]);
        await ApplyAsync(cloud, "before", "cloud");
        await WaitShopActiveAsync(cloud, "before");

        await tree.StopAsync("shop");
        await ApplyAsync(cloud, "meanwhile", "cloud");
        TearFile(Links(shop, "uplink.json"), how);
        await tree.StartAgainAsync("shop");

        await WaitShopActiveAsync(cloud, "meanwhile");
        Assert.Equal(("cloud", "cloud"), (await OwnerAsync(shop, "before"), await OwnerAsync(shop, "meanwhile")));
        AssertReadable(Links(shop, "uplink.json"));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Tear.Empty)]
    [InlineData(Tear.Truncated)]
    [InlineData(Tear.Garbage)]
    public async Task TornHeldBackMissions_SiteRestarts_AndStillAppliesTheParentsOnceItsOwnIsGone(Tear how)
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "shop"));
        var (cloud, shop) = (tree["cloud"], tree["shop"]);
        await ApplyAsync(shop, "web", "shop");
        await ApplyAsync(cloud, "web", "cloud");
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(cloud, "web")).GetValueOrDefault("cloud/shop") == MissionStates.Conflict,
            "cloud to see that shop holds its mission back", Deadline);

        await tree.StopAsync("shop");
        TearFile(Links(shop, "blocked-missions.json"), how);
        await tree.StartAgainAsync("shop");
        // Held back again (from the parent's snapshot, which rewrites the record): once shop's own mission is gone, the
        // parent's goes in.
        await Poll.UntilAsync(() => Task.FromResult(IsReadable(Links(shop, "blocked-missions.json"))),
            "shop to hold cloud's mission back again", Deadline);
        using var delete = await shop.Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/missions/web");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        await WaitShopActiveAsync(cloud, "web");
        Assert.Equal("cloud", await OwnerAsync(shop, "web"));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Tear.Empty)]
    [InlineData(Tear.Truncated)]
    [InlineData(Tear.Garbage)]
    public async Task TornMissionIndex_ParentRestarts_AndItsChildStillGetsMissions(Tear how)
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "shop"));
        var (cloud, shop) = (tree["cloud"], tree["shop"]);
        await ApplyAsync(cloud, "before", "cloud");
        await WaitShopActiveAsync(cloud, "before");

        await tree.StopAsync("cloud");
        TearFile(Links(cloud, "mission-index.json"), how);
        await tree.StartAgainAsync("cloud");
        await ApplyAsync(cloud, "after", "cloud");

        await WaitShopActiveAsync(cloud, "after");
        Assert.Equal("cloud", await OwnerAsync(shop, "after"));
        AssertReadable(Links(cloud, "mission-index.json"));
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Tear.Empty)]
    [InlineData(Tear.Truncated)]
    [InlineData(Tear.Garbage)]
    public async Task TornParentRecord_SiteDoesNotStart_AndSaysWhichFileAndTheWayOut(Tear how)
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "shop"));
        var shop = tree["shop"];
        await tree.StopAsync("shop");
        var file = Links(shop, "parent.json");
        TearFile(file, how);

        var e = await Assert.ThrowsAsync<SiteDataException>(() => tree.StartAgainAsync("shop"));
        Assert.Equal(file, e.File);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"{file} is unreadable", e.Message, StringComparison.Ordinal);
        Assert.Contains("join the parent again with a new token", e.Message, StringComparison.Ordinal);
    }
}
