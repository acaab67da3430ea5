using Fornax.Cli.Commands.Node;
using Fornax.Node.Hosting;

namespace Fornax.Cli.Tests;

public sealed class DemoTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Demo_AppliesTheExampleMissions_WaitsForTheirStates_InvokesHello_AndCleansUp()
    {
        // A real site: the demo's last step loads a Wasm module and calls it over HTTP, which no fake can stand in for.
        var host = new RecordingSiteHost();
        _cli.SiteHost = host;

        var result = await _cli.RunAsync("demo");

        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Contains("mission.fornax.io/welcome created", result.Stdout);
        Assert.Contains("mission.fornax.io/hello-function created", result.Stdout);
        Assert.Contains(result.StdoutLines, l => l.Contains("welcome", StringComparison.Ordinal) && l.Contains("Active", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.Contains("edge-config", StringComparison.Ordinal) && l.Contains("not match", StringComparison.Ordinal));
        Assert.Contains("configmap.fornax.io/welcome (from mission welcome): ", result.Stdout);
        Assert.Contains("message=Hello from Fornax", result.Stdout);
        Assert.Contains(result.StdoutLines, l => l.Contains("GET /fn/hello", StringComparison.Ordinal) && l.Contains("200 OK", StringComparison.Ordinal));
        Assert.Contains("Hello, world from demo!", result.Stdout);
        Assert.True(host.Stopped);
        Assert.False(Directory.Exists(host.Options!.DataDirectory));
    }

    /// <summary>The real site host, recording what it was asked to start and whether the site was stopped.</summary>
    private sealed class RecordingSiteHost : ISiteHost
    {
        public NodeOptions? Options { get; private set; }

        public bool Stopped { get; private set; }

        public async Task<IRunningSite> StartAsync(NodeOptions options, CancellationToken ct)
        {
            Options = options;
            return new Running(this, await SiteHosts.Default.StartAsync(options, ct));
        }

        private sealed class Running(RecordingSiteHost host, IRunningSite site) : IRunningSite
        {
            public SiteHostEndpoints Endpoints => site.Endpoints;

            public async Task StopAsync(CancellationToken ct)
            {
                host.Stopped = true;
                await site.StopAsync(ct);
            }

            public Task WaitForShutdownAsync(CancellationToken ct) => site.WaitForShutdownAsync(ct);

            public ValueTask DisposeAsync() => site.DisposeAsync();
        }
    }
}
