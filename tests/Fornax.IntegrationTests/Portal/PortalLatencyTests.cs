using System.Net;
using Fornax.Emulation;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>Between remote backends, the portal picks the one nearest by the links' measured round trips.</summary>
public sealed class PortalLatencyTests
{
    private static readonly TimeSpan Slow = TimeSpan.FromMilliseconds(40);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TwoRemoteBackends_TheFasterByMeasuredLinkLatencyAnswers_TheChoiceFollowsALatencyChange()
    {
        // From e1, the root a is two links away (e1-r, r-a) and e2 two as well (e1-r, r-e2): only latency tells them apart.
        await using var tree = await PortalTree.StartAsync("a", "e2");

        tree.LinkBetween("r", "e2").UpdateProfile(new LinkProfileOptions { Latency = Slow });
        await WaitForLatencyAsync(tree, slow: "e2", fast: "r");
        await AssertServedByAsync(tree, "a/r/e1, a", "a");

        tree.LinkBetween("r", "e2").UpdateProfile(LinkProfileOptions.Unlimited);
        tree.LinkBetween("a", "r").UpdateProfile(new LinkProfileOptions { Latency = Slow });
        await WaitForLatencyAsync(tree, slow: "r", fast: "e2");
        await AssertServedByAsync(tree, "a/r/e1, a/r/e2", "e2");
    }

    /// <summary>Until e1's map holds the uplink round trip <paramref name="slow"/> announced as the slow one, and the other fast.</summary>
    private static Task WaitForLatencyAsync(TreeHost tree, string slow, string fast) =>
        Poll.UntilAsync(() =>
            PortalTree.Map(tree["e1"]).UplinkLatency(tree[slow].Path) > Slow
            && PortalTree.Map(tree["e1"]).UplinkLatency(tree[fast].Path) < Slow / 2,
            $"e1 to hear {slow}'s uplink is slow and {fast}'s fast",
            TimeSpan.FromSeconds(30),
            () => $"{slow}: {PortalTree.Map(tree["e1"]).UplinkLatency(tree[slow].Path)}, {fast}: {PortalTree.Map(tree["e1"]).UplinkLatency(tree[fast].Path)}");

    private static async Task AssertServedByAsync(TreeHost tree, string route, string site)
    {
        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=latency");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(route, PortalTree.Route(response));
        Assert.Contains($"from {site}!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
