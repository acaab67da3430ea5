using Fornax.Node.Trees;
using Fornax.Portal;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Cli.Tests;

/// <summary><c>fornax get services -o wide</c>: the portal's view of a real two-site tree.</summary>
public sealed class GetServicesWideTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task GetServicesWide_ServiceAtTheChild_ShowsItsSiteHealthAndTheRouteFromTheAskedSite()
    {
        // east-1 must read healthy: a limit of 50 missed heartbeats (10 s), since this project runs beside the Native AOT
        // publishes, and 3 (600 ms) are missed now and then on two busy cores.
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("east", "east-1"), new TreeHostOptions { MissedHeartbeats = 50 });
        await tree.WaitConnectedAsync();
        await TreeHost.ApplyAsync(tree["east-1"], "services", "cache",
            "apiVersion: fornax.io/v1\nkind: Service\nmetadata: {name: cache}\nspec:\n  backends:\n    - {site: east-1, address: \"127.0.0.1:6379\"}\n");
        var map = tree["east"].Node.Services.GetRequiredService<IServiceMap>();
        await Poll.UntilAsync(() => map.SitesServing(new ServiceKey("default", "cache")).Count == 1, "east to know east-1 serves cache", TimeSpan.FromSeconds(20));

        var result = await _cli.RunAsync("get", "services", "-o", "wide", "--site", tree["east"].Node.Endpoints.Api);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(["NAMESPACE   NAME    BACKENDS                ROUTE", "default     cache   east/east-1 (healthy)   east -> east/east-1"], result.StdoutLines);
    }
}
