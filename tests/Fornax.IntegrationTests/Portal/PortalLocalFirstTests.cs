using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// A site announces what it serves the moment that changes, not at its next heartbeat: from the moment a function is
/// Ready here, this site's portal routes its service here rather than to another site serving it.
/// </summary>
public sealed class PortalLocalFirstTests
{
    // Far longer than a test's steps: only an announcement made on the change itself can be in the map in time.
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task FunctionDeployedHere_SvcAnswersFromThisSite_AsSoonAsItIsReady()
    {
        await using var tree = await TreeHost.StartAsync(PortalTree.Topology(), new TreeHostOptions { HeartbeatInterval = Heartbeat });
        await tree.WaitConnectedAsync();
        await DeployHelloAsync(tree["e1"]);
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e2"], tree["e1"], healthy: true), "e2 to know e1 serves hello", describe: () => PortalTree.Describe(tree, "e2"));
        using (var before = await PortalTree.CallAsync(tree["e2"], "/svc/default/hello/?name=before"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Equal("a/r/e2, a/r/e1", PortalTree.Route(before));
        }

        await DeployHelloAsync(tree["e2"]);

        Assert.Contains(PortalTree.Map(tree["e2"]).SitesServing(PortalTree.Hello), s => s.SitePath == "a/r/e2");
        using var after = await PortalTree.CallAsync(tree["e2"], "/svc/default/hello/?name=after");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("a/r/e2", PortalTree.Route(after));
    }

    /// <summary>Puts hello.wasm and a Function hello straight at <paramref name="site"/>; returns once its status is Ready.</summary>
    private static async Task DeployHelloAsync(TreeSite site)
    {
        var digest = await PortalTree.PutGuestAsync(site, "hello.wasm");
        await TreeHost.ApplyAsync(site, "functions", "hello",
            $"apiVersion: fornax.io/v1\nkind: Function\nmetadata: {{name: hello}}\nspec: {{module: \"{digest}\"}}\n");
        await Poll.UntilAsync(async () =>
        {
            var function = await site.Http.GetFromJsonAsync<JsonObject>("/apis/fornax.io/v1/namespaces/default/functions/hello");
            return function?["status"]?["phase"]?.GetValue<string>() == "Ready";
        }, $"hello to be Ready at {site.Name}");
    }
}
