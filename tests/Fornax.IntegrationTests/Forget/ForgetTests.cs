using Fornax.Core.Objects;
using Fornax.Hierarchy.Links;
using Fornax.Node.Trees;
using Grpc.Core;
using static Fornax.IntegrationTests.Attach.AttachHarness;
using static Fornax.IntegrationTests.Forget.ForgetHarness;

namespace Fornax.IntegrationTests.Forget;

/// <summary>
/// Forgetting a child site that will never come back (<c>DELETE /api/children/{name}</c>, docs/tree.md "Forgetting a
/// site"): real sites in process on loopback, real SQLite stores, real mutual-TLS links, a 200 ms heartbeat.
/// </summary>
public sealed class ForgetTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_OnlineChildGrandchildOrUnknown_IsRefusedChangingNothing_ForcedClosesTheLinkAndTheChildSeesWhy()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "east", "east-1"));
        var (cloud, east, east1) = (tree["cloud"], tree["east"], tree["east-1"]);
        await ApplyEverySiteAsync(cloud, "fleet");
        await WaitAsync(async () => (await KeysUnderAsync(cloud, "fleet", "cloud/east/east-1")).Count == 1 && await HasSitesAsync(cloud, "east-1"), "cloud to show east-1's state and Site");

        var (online, onlineBody) = await ForgetAsync(east, "east-1");
        var (deeper, deeperBody) = await ForgetAsync(cloud, "east-1");
        var (unknown, unknownBody) = await ForgetAsync(east, "nope");
        var (itself, itselfBody) = await ForgetAsync(east, "east");

        Assert.Equal(409, online);
        Assert.Contains("site \"east-1\" is online (linked to cloud/east)", Message(onlineBody), StringComparison.Ordinal);
        Assert.Contains("--force", Message(onlineBody), StringComparison.Ordinal);
        Assert.Equal(400, deeper);
        Assert.Contains("site \"east-1\" is not a child of cloud: it is at cloud/east/east-1. Forget it at its parent, cloud/east", Message(deeperBody), StringComparison.Ordinal);
        Assert.Equal(404, unknown);
        Assert.Contains("site \"nope\" is not a child of cloud/east", Message(unknownBody), StringComparison.Ordinal);
        Assert.Equal(400, itself);
        Assert.Contains("forget it at its parent, cloud", Message(itselfBody), StringComparison.Ordinal);

        // Nothing changed: nothing recorded, east-1 still linked and shown everywhere.
        foreach (var site in new[] { cloud, east })
        {
            Assert.False(File.Exists(Path.Combine(site.DataDirectory, "links", ForgottenChildren.FileName)), $"{site.Name} recorded no forget");
            Assert.True(await HasSitesAsync(site, "east-1"), $"{site.Name} still has east-1's Site");
            Assert.Equal(MissionStates.Active, (await TreeHost.StatesAsync(site, "fleet")).GetValueOrDefault("cloud/east/east-1"));
        }

        Assert.Equal("connected", (await SiteInfoAsync(east1))["uplink"]!.GetValue<string>());

        var (forced, forcedBody) = await ForgetAsync(east, "east-1", force: true);

        Assert.Equal(200, forced);
        Assert.True(forcedBody["linkClosed"]!.GetValue<bool>());
        Assert.Equal("cloud/east/east-1", forcedBody["path"]!.GetValue<string>());
        // The child hears why on its next connection and stops dialing; it keeps what it has (autonomy).
        await WaitAsync(async () => (await SiteInfoAsync(east1))["uplink"]?.GetValue<string>() == "refused", "east-1's uplink to be refused", async () => (await SiteInfoAsync(east1)).ToJsonString());
        Assert.Equal(EastOneRefusal, (await SiteInfoAsync(east1))["uplinkRefusal"]!.GetValue<string>());
        Assert.Equal(MissionStates.Active, (await TreeHost.StatesAsync(east1, "fleet")).GetValueOrDefault("cloud/east/east-1"));
        await WaitAsync(async () => await HasNoSitesAsync(cloud, "east-1") && (await KeysUnderAsync(cloud, "fleet", "cloud/east/east-1")).Count == 0,
            "cloud to drop east-1's Site and state", async () => string.Join(", ", await TreeHost.StatesAsync(cloud, "fleet")));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_OfflineChildWithSubtree_GoneAtParentAndRoot_SurvivesRestart_RefusedOnReturn_JoinsAgainWithNewToken()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "east", "east-1", "shop-1"));
        var (cloud, east) = (tree["cloud"], tree["east"]);
        await ApplyEverySiteAsync(cloud, "fleet");
        await WaitAsync(async () => (await KeysUnderAsync(cloud, "fleet", "cloud/east/east-1")).Count == 2 && await HasSitesAsync(cloud, "east-1", "shop-1"), "cloud to show east-1 and shop-1");
        var oldIdentity = CopyIdentity(tree["east-1"].DataDirectory);

        tree.Cut("east", "east-1");
        await WaitAsync(async () => await KeysUnderAsync(cloud, "fleet", "cloud/east/east-1") is ["cloud/east/east-1"]
            && (await TreeHost.StatesAsync(cloud, "fleet"))["cloud/east/east-1"] == MissionStates.ClusterOffline, "cloud to show east-1 cluster offline");

        var (status, body) = await ForgetAsync(east, "east-1");

        Assert.True(status == 200, body.ToJsonString());
        Assert.False(body["linkClosed"]!.GetValue<bool>());
        Assert.Equal(["east-1", "shop-1"], body["droppedSites"]!.AsArray().Select(s => s!.GetValue<string>()));
        await AssertForgottenEverywhereAsync(tree, "fleet");

        // A kill and a start of the parent: the forget holds, and a mission applied afterwards has no mark for east-1.
        await tree.RestartAsync("east");
        await ApplyEverySiteAsync(cloud, "after");
        await WaitAsync(async () => (await TreeHost.StatesAsync(cloud, "after")) is { Count: 2 } states && states.GetValueOrDefault("cloud/east") == MissionStates.Active,
            "cloud to show 'after' at cloud and cloud/east only", async () => string.Join(", ", await TreeHost.StatesAsync(cloud, "after")));
        await AssertForgottenEverywhereAsync(tree, "fleet");

        // east-1 comes back with its old certificate: refused with the reason, at the link and in its own status.
        tree.Heal("east", "east-1");
        await WaitAsync(async () => (await SiteInfoAsync(tree["east-1"]))["uplinkRefusal"]?.GetValue<string>() == EastOneRefusal, "east-1 to see it was forgotten");
        Assert.Equal("refused", (await SiteInfoAsync(tree["east-1"]))["uplink"]!.GetValue<string>());
        await AssertForgottenEverywhereAsync(tree, "fleet");

        // Joined again with a new token: a new certificate, and the subtree is back everywhere.
        var token = await JoinTokenAsync(east);
        await tree.RestartAsync("east-1", options => options with { JoinToken = token });
        await WaitAsync(async () => (await SiteInfoAsync(tree["east-1"]))["uplink"]?.GetValue<string>() == "connected", "east-1 linked again");
        await WaitAsync(async () => (await TreeHost.StatesAsync(cloud, "fleet")).GetValueOrDefault("cloud/east/east-1/shop-1") == MissionStates.Active
            && await HasSitesAsync(cloud, "east-1", "shop-1") && await HasSitesAsync(east, "east-1", "shop-1"), "cloud to show east-1 and shop-1 again");

        // The old certificate stays refused.
        using var old = Identity(oldIdentity);
        var refused = await LinkAsAsync(east, old);
        Assert.Equal(StatusCode.PermissionDenied, refused?.StatusCode);
        Assert.Equal(EastOneRefusal, refused!.Status.Detail);
        Directory.Delete(oldIdentity, recursive: true);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_CutShortAfterItWasRecorded_IsFinishedWhenTheParentStarts()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("cloud", "east", "east-1"));
        var (cloud, east) = (tree["cloud"], tree["east"]);
        await ApplyEverySiteAsync(cloud, "fleet");
        await WaitAsync(async () => (await KeysUnderAsync(cloud, "fleet", "cloud/east/east-1")).Count == 1 && await HasSitesAsync(cloud, "east-1"), "cloud to show east-1");
        tree.Cut("east", "east-1");
        await WaitAsync(async () => (await TreeHost.StatesAsync(east, "fleet")).GetValueOrDefault("cloud/east/east-1") == MissionStates.ClusterOffline, "east to mark east-1 offline");

        // As if east crashed right after recording the forget: nothing else of it happened.
        await tree.RestartAsync("east", options =>
        {
            ForgottenChildren.Open(east.DataDirectory).Record("east-1", "cloud/east/east-1", DateTimeOffset.UtcNow);
            return options;
        });

        await WaitAsync(async () => await HasNoSitesAsync(east, "east-1") && await HasNoSitesAsync(cloud, "east-1")
            && (await KeysUnderAsync(east, "fleet", "cloud/east/east-1")).Count == 0 && (await KeysUnderAsync(cloud, "fleet", "cloud/east/east-1")).Count == 0,
            "east and cloud to drop east-1", async () => string.Join(", ", await TreeHost.StatesAsync(cloud, "fleet")));
        tree.Heal("east", "east-1");
        await WaitAsync(async () => (await SiteInfoAsync(tree["east-1"]))["uplinkRefusal"]?.GetValue<string>() == EastOneRefusal, "east-1 to be refused");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forget_LastChildAMoveWaitsFor_CompletesTheMove_AndTheOldCaIsNoLongerTrusted()
    {
        await using var eastTree = await TreeHost.StartAsync(EastTree());
        await using var cloudTree = await TreeHost.StartAsync(Single("cloud"));
        var (east, cloud) = (eastTree["east"], cloudTree["cloud"]);
        await WaitAsync(async () => await HasSitesAsync(east, "east-1", "east-2"), "east's Site objects of its children");
        // east-2 is away for good while east is attached under cloud.
        eastTree.Cut("east", "east-2");
        await WaitAsync(async () => (await TreeHost.GetAsync(east, "sites", "east-2"))?["status"]?["phase"]?.GetValue<string>() == "Offline", "east to mark east-2 offline");

        var (attached, attachBody) = await AttachAsync(east, cloud.Node.Endpoints.Api, await JoinTokenAsync(cloud));
        Assert.True(attached == 202, attachBody.ToJsonString());
        await WaitAsync(async () => (await SiteInfoAsync(east))["move"]?["pendingChildren"]?.AsArray().Select(c => c!.GetValue<string>()).SequenceEqual(["east-2"]) == true,
            "east's move to wait for east-2 only", async () => (await SiteInfoAsync(east)).ToJsonString());

        var (status, body) = await ForgetAsync(east, "east-2");

        Assert.True(status == 200, body.ToJsonString());
        Assert.Equal("cloud/east/east-2", body["path"]!.GetValue<string>());
        foreach (var site in new[] { east, eastTree["east-1"] })
        {
            await WaitAsync(async () => (await SiteInfoAsync(site))["move"] is null, $"{site.Name}'s move to complete", async () => (await SiteInfoAsync(site)).ToJsonString());
        }

        Assert.True(await HasNoSitesAsync(east, "east-2"));
        Assert.False(File.Exists(Path.Combine(east.DataDirectory, "pki", "previous-trust.crt")), "east no longer keeps the old tree's CA");
        // east-2 still holds its old-tree certificate, which east's link listener no longer trusts at all.
        using var oldEast2 = Identity(eastTree["east-2"].DataDirectory);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HandshakeTrustingAnyServerAsync(east, oldEast2));
        Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, refused.ToString());
    }

    /// <summary>east-1 and shop-1 are gone from east's and cloud's Site objects and from the mission's state maps.</summary>
    private static Task AssertForgottenEverywhereAsync(TreeHost tree, string mission) =>
        WaitAsync(async () =>
        {
            foreach (var site in new[] { tree["cloud"], tree["east"] })
            {
                if (!await HasNoSitesAsync(site, "east-1", "shop-1") || (await KeysUnderAsync(site, mission, "cloud/east/east-1")).Count > 0)
                {
                    return false;
                }
            }

            return true;
        }, "east-1 and shop-1 to be gone at east and cloud", async () => string.Join(", ", await TreeHost.StatesAsync(tree["cloud"], mission)));

    private static string Message(System.Text.Json.Nodes.JsonObject status) => status["message"]!.GetValue<string>();
}
