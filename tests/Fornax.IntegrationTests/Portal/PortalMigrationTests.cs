using System.Collections.Concurrent;
using System.Net;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>A mission moves a service's backend to another site while requests keep coming.</summary>
public sealed class PortalMigrationTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task MissionMovesTheFunction_RoutesFollow_NoRequestFailsUnderSteadyLoad()
    {
        await using var tree = await PortalTree.StartAsync();
        await PortalTree.DeployHelloAsync(tree, "hello-moving", "e2");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["e2"], healthy: true), "e1 to know e2 serves hello", TimeSpan.FromSeconds(20));

        var answers = new ConcurrentQueue<(HttpStatusCode Status, string Route, string Body)>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            using var ingress = new HttpClient { BaseAddress = new Uri(tree["e1"].Node.Endpoints.Ingress) };
            while (!stop.IsCancellationRequested)
            {
                using var response = await ingress.GetAsync("/svc/default/hello/?name=load");
                answers.Enqueue((response.StatusCode, PortalTree.Route(response), await response.Content.ReadAsStringAsync()));
            }
        });
        await Poll.UntilAsync(() => answers.Count >= 5 || load.IsCompleted, "the load to run", TimeSpan.FromSeconds(20));

        // The same mission, placed at the region instead: the function leaves e2 and starts at r.
        await PortalTree.DeployHelloAsync(tree, "hello-moving", "r");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["r"], healthy: true) && PortalTree.Map(tree["e1"]).SitesServing(PortalTree.Hello).Count == 1,
            "e1's map to show hello served at r only", TimeSpan.FromSeconds(20));
        var atMove = answers.Count;
        await Poll.UntilAsync(() => answers.Count >= atMove + 5 || load.IsCompleted, "requests after the move", TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await load;

        var all = answers.ToList();
        Assert.All(all, a => Assert.True(a.Status == HttpStatusCode.OK, $"{a.Status} via {a.Route}: {a.Body}"));
        Assert.Contains(all, a => a.Route == "a/r/e1, a/r/e2");
        Assert.All(all.Skip(atMove), a => Assert.Equal("a/r/e1, a/r", a.Route));
    }
}
