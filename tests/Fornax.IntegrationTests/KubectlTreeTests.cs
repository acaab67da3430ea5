using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Fornax.Testing;
using Fornax.Testing.Kubectl;

namespace Fornax.IntegrationTests;

/// <summary>Debian's kubectl against the sites of an in-process tree: the original design's commands.</summary>
public sealed class KubectlTreeTests
{
    private const string ShopMission = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: shops}
        spec:
          placement:
            selector: {matchLabels: {role: shop}}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: shop-config}
              data: {version: "1"}
        """;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Kubectl_OnATree_AppliesAtTheRoot_ListsSitesAndStates_RefusesPatchingAnInheritedMission()
    {
        await using var tree = await TreeHost.StartAsync(ChainTests.ChainWithShops());
        using var root = new KubectlRunner(tree["a"].Node.Endpoints.Api);
        using var shop = new KubectlRunner(tree["c"].Node.Endpoints.Api);

        var applied = await root.OkWithInputAsync(ShopMission, "apply", "-f", "-");
        await Poll.UntilAsync(async () => (await TreeHost.StatesAsync(tree["a"], "shops")).Count(s => s.Value == MissionStates.Active) == 2, "the shops to report Active");
        await Poll.UntilAsync(async () => (await root.OkAsync("get", "sites", "-o", "name")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 4, "the root to know every site");
        var sites = await root.OkAsync("get", "sites");
        var missions = await root.OkAsync("get", "missions", "-o", "wide");
        var patchInherited = await shop.RunAsync("", "patch", "mission", "shops", "--type", "merge", "-p", """{"metadata":{"labels":{"x":"y"}}}""");

        Assert.Equal("mission.fornax.io/shops created\n", applied);
        Assert.Matches(@"^NAME\s+PATH\s+TIER\s+HEALTHY\s+LAST HEARTBEAT\s+MISSIONS\s+AGE\n", sites);
        Assert.Matches(@"\nd\s+a/b/c/d\s+", sites);
        Assert.Matches(@"^NAME\s+TARGETS\s+ACTIVE\s+STATE\s+AGE\s+A\s+A/B\s+A/B/C\s+A/B/C/D\n", missions);
        Assert.Matches(@"\nshops\s+4\s+2\s+2 Active, 2 not match\s+\S+\s+not match\s+not match\s+Active\s+Active\n", missions);
        Assert.NotEqual(0, patchInherited.ExitCode);
        Assert.Contains("inherited", patchInherited.Err);
        Assert.DoesNotContain("x", (await TreeHost.GetAsync(tree["c"], "missions", "shops"))!["metadata"]!["labels"]?.ToJsonString() ?? "");
    }
}
