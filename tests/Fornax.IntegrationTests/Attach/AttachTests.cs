using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Trees;
using static Fornax.IntegrationTests.Attach.AttachHarness;

namespace Fornax.IntegrationTests.Attach;

/// <summary>
/// Attaching a region that is the root of its own tree (east with east-1, east-2) under another tree's root (cloud):
/// real sites in process, real mutual TLS, the attachment through east's API (<c>POST /api/attach</c>).
/// </summary>
public sealed class AttachTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task AttachRegionWithChildren_WholeSubtreeMovesIntoCloudTree_KeepsOwnMissions_OldCaRefused()
    {
        await using var east = await TreeHost.StartAsync(EastTree());
        await ApplyMissionAsync(east["east"], "east-own");
        await WaitAsync(async () => (await TreeHost.StatesAsync(east["east"], "east-own")).Count(s => s.Value == MissionStates.Active) == 2, "east's own mission Active at east-1 and east-2");
        var oldEdgeIdentity = CopyIdentity(east["east-1"].DataDirectory);
        await using var cloud = await TreeHost.StartAsync(Single("cloud"));
        using var cloudCa = TreeCa(cloud["cloud"]);

        var (status, body) = await AttachAsync(east["east"], cloud["cloud"].Node.Endpoints.Api, await JoinTokenAsync(cloud["cloud"]));

        Assert.True(status == 202, body.ToJsonString());
        Assert.Equal("cloud/east", body["path"]!.GetValue<string>());
        Assert.Equal(["east-1", "east-2"], body["pendingChildren"]!.AsArray().Select(c => c!.GetValue<string>()));

        // A mission applied at cloud reaches east's edge sites through east, and cloud sees every path.
        await ApplyMissionAsync(cloud["cloud"], "fleet");
        var expected = new Dictionary<string, string>
        {
            ["cloud"] = MissionStates.NotMatch,
            ["cloud/east"] = MissionStates.NotMatch,
            ["cloud/east/east-1"] = MissionStates.Active,
            ["cloud/east/east-2"] = MissionStates.Active,
        };
        await WaitAsync(
            async () => (await TreeHost.StatesAsync(cloud["cloud"], "fleet")) is var states && states.Count == expected.Count && expected.All(e => states.GetValueOrDefault(e.Key) == e.Value),
            "cloud to show fleet Active at cloud/east/east-1 and cloud/east/east-2",
            async () => string.Join(", ", await TreeHost.StatesAsync(cloud["cloud"], "fleet")));

        // The move completes everywhere: no site keeps the old tree.
        foreach (var name in new[] { "east", "east-1", "east-2" })
        {
            await WaitAsync(async () => (await SiteInfoAsync(east[name]))["move"] is null, $"{name}'s move to complete", async () => (await SiteInfoAsync(east[name])).ToJsonString());
        }

        // east's own mission, applied while it was a root, stays in force, now keyed by the new paths.
        var own = await TreeHost.StatesAsync(east["east"], "east-own");
        Assert.Equal(MissionStates.Active, own.GetValueOrDefault("cloud/east/east-1"));
        Assert.Equal(MissionStates.Active, own.GetValueOrDefault("cloud/east/east-2"));
        Assert.DoesNotContain(own.Keys, k => !k.StartsWith("cloud/east", StringComparison.Ordinal));
        Assert.Equal(MissionStates.Active, (await TreeHost.StatesAsync(east["east-1"], "east-own")).GetValueOrDefault("cloud/east/east-1"));
        Assert.Equal("east-own", (await TreeHost.GetAsync(east["east-1"], "configmaps", "east-own-config"))?["data"]?["from"]?.GetValue<string>());

        // cloud's Site objects show the whole attached subtree.
        foreach (var (name, path) in new[] { ("east", "cloud/east"), ("east-1", "cloud/east/east-1"), ("east-2", "cloud/east/east-2") })
        {
            await WaitAsync(async () => await TreeHost.GetAsync(cloud["cloud"], "sites", name) is { } site
                && site["status"]?["path"]?.GetValue<string>() == path && site["status"]?["healthy"]?.GetValue<bool>() == true, $"cloud's Site {name} at {path}, healthy");
        }

        var eastSite = await TreeHost.GetAsync(cloud["cloud"], "sites", "east");
        Assert.Equal(["east-1", "east-2"], eastSite!["status"]!["children"]!.AsArray().Select(c => c!.GetValue<string>()).Order());

        // Every site's certificate, and every link's peer certificate, chains to cloud's CA.
        var now = TimeProvider.System.GetUtcNow();
        foreach (var (child, parent, parentPath) in new[] { ("east", cloud["cloud"], "cloud"), ("east-1", east["east"], "cloud/east"), ("east-2", east["east"], "cloud/east") })
        {
            using var identity = Identity(east[child].DataDirectory);
            Assert.Equal(SiteCertificates.Fingerprint(cloudCa), SiteCertificates.Fingerprint(identity.TrustAnchor));
            Assert.True(SiteCertificates.Validate(identity.Certificate, cloudCa, SiteCertificateUsage.Client, now).IsValid, $"{child}'s certificate chains to cloud's CA");
            using var peer = await HandshakeAsync(parent, identity, parentPath);
            var check = SiteCertificates.Validate(peer, cloudCa, SiteCertificateUsage.Server, now);
            Assert.True(check.IsValid, $"{parent.Name}'s link certificate chains to cloud's CA: {check.Error}");
            Assert.Equal(parentPath, check.SitePath);
        }

        // The old CA is not trusted any more: east-1's old certificate is refused by east.
        using var oldIdentity = Identity(oldEdgeIdentity);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HandshakeTrustingAnyServerAsync(east["east"], oldIdentity));
        Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, refused.ToString());
        Assert.False(File.Exists(Path.Combine(east["east"].DataDirectory, "pki", "ca.key")), "east no longer holds a tree CA");
        Directory.Delete(oldEdgeIdentity, recursive: true);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Attach_BadTokenCycleOrNameCollision_IsRefusedNamingTheProblem_AndChangesNothing()
    {
        await using var east = await TreeHost.StartAsync(EastTree());
        // cloud already has a child named east-2: attaching east (with its own east-2) would put the name in two places.
        await using var cloud = await TreeHost.StartAsync(TreeHost.Chain("cloud", "east-2"));
        await WaitAsync(async () => await TreeHost.GetAsync(cloud["cloud"], "sites", "east-2") is not null, "cloud's Site object for its child east-2");
        var before = await SiteInfoAsync(east["east"]);
        var cloudApi = cloud["cloud"].Node.Endpoints.Api;

        var (badStatus, bad) = await AttachAsync(east["east"], cloudApi, "nope1234.not-a-secret");
        Assert.Equal(401, badStatus);
        Assert.Contains("join token is not valid", bad["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var underOwnChild = await JoinTokenAsync(east["east-1"]);
        var (cycleStatus, cycle) = await AttachAsync(east["east"], east["east-1"].Node.Endpoints.Api, underOwnChild);
        Assert.Equal(409, cycleStatus);
        Assert.Contains("east-1 (path east/east-1) is in east's own tree", cycle["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("cycle", cycle["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var collisionToken = await JoinTokenAsync(cloud["cloud"]);
        var (collisionStatus, collision) = await AttachAsync(east["east"], cloudApi, collisionToken);
        Assert.Equal(409, collisionStatus);
        var message = collision["message"]!.GetValue<string>();
        Assert.Contains("site name \"east-2\" is already used at cloud/east-2", message, StringComparison.Ordinal);
        Assert.Contains("cloud/east/east-2", message, StringComparison.Ordinal);

        // Nothing changed: east is still the root of its tree with both children linked, and refused tokens were not used up.
        var after = await SiteInfoAsync(east["east"]);
        Assert.Equal("east", after["path"]!.GetValue<string>());
        Assert.Null(after["move"]);
        Assert.Equal(before["caFingerprint"]!.GetValue<string>(), after["caFingerprint"]!.GetValue<string>());
        Assert.False(Directory.Exists(Path.Combine(east["east"].DataDirectory, "pki", "incoming")));
        Assert.True(File.Exists(Path.Combine(east["east"].DataDirectory, "pki", "ca.key")));
        await east.WaitConnectedAsync();
        Assert.Null(await TreeHost.GetAsync(cloud["cloud"], "sites", "east"));
        await AssertUnusedAsync(east["east-1"], underOwnChild);
        await AssertUnusedAsync(cloud["cloud"], collisionToken);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task RootRestartedWithJoin_IsAttachedWithItsSubtree()
    {
        await using var east = await TreeHost.StartAsync(EastTree());
        await using var cloud = await TreeHost.StartAsync(Single("cloud"));
        var token = await JoinTokenAsync(cloud["cloud"]);

        // `fornax node run --join URL --token T` on the data directory of a running root with children.
        await east.RestartAsync("east", options => options with { Join = cloud["cloud"].Node.Endpoints.Api, JoinToken = token });

        Assert.Equal("cloud/east", (await SiteInfoAsync(east["east"]))["path"]!.GetValue<string>());
        foreach (var name in new[] { "east", "east-1", "east-2" })
        {
            await WaitAsync(async () => await SiteInfoAsync(east[name]) is var info && info["move"] is null && info["path"]!.GetValue<string>().StartsWith("cloud/east", StringComparison.Ordinal),
                $"{name} to finish moving under cloud/east", async () => (await SiteInfoAsync(east[name])).ToJsonString());
        }

        // Restarted again with the same command line: the used token is not needed any more.
        await east.RestartAsync("east");
        await WaitAsync(async () => (await SiteInfoAsync(east["east"]))["uplink"]?.GetValue<string>() == "connected", "east linked to cloud after a restart");
    }

    private static async Task AssertUnusedAsync(TreeSite site, string token)
    {
        var issuer = (JoinTokenIssuer)site.Node.Services.GetService(typeof(JoinTokenIssuer))!;
        var stored = (await issuer.ListAsync()).Single(t => token.StartsWith(t.Id + ".", StringComparison.Ordinal));
        Assert.Null(stored.UsedAt);
    }
}
