using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Cli.Tests;

/// <summary>The cart example as a user runs it: <c>fornax apply -f examples/functions/cart/mission.yaml</c>, then <c>fornax invoke</c>.</summary>
public sealed class StatefulExampleCliTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task ApplyCartMission_ThenInvoke_AddsAndListsTheCart()
    {
        await using var site = await SiteNode.StartAsync(new NodeOptions { DataDirectory = Path.Combine(_cli.Root, "site"), Name = "edge-1", LogLevel = LogLevel.Warning });
        var api = site.Endpoints.Api;
        var mission = Path.Combine(RepositoryFolders.Root(), "examples", "functions", "cart", "mission.yaml");

        var applied = await _cli.RunAsync("apply", "-f", mission, "--site", api);
        Assert.True(applied.ExitCode == 0, applied.Stderr);
        CliResult? added = null;
        await Fornax.Testing.Poll.UntilAsync(async () =>
        {
            added = await _cli.RunAsync("invoke", "cart", "--site", api, "-X", "POST", "--path", "/42/add?item=apples&qty=3");
            return added.ExitCode == 0;
        }, "the cart function to answer", TimeSpan.FromSeconds(30), () => Task.FromResult(added?.Stderr ?? ""));
        var listed = await _cli.RunAsync("invoke", "cart", "--site", api, "--path", "/42");

        Assert.Equal("{\"cart\":\"42\",\"item\":\"apples\",\"quantity\":3}\n", added!.Stdout);
        Assert.Equal((0, "{\"cart\":\"42\",\"items\":{\"apples\":3}}\n"), (listed.ExitCode, listed.Stdout));
    }
}
