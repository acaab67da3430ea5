using Fornax.Cli.Commands.Node;
using Fornax.Node.Hosting;

namespace Fornax.Cli.Tests;

/// <summary>An <see cref="ISiteHost"/> whose sites are <see cref="FakeSiteApi"/>s; records what it was asked to start.</summary>
public sealed class FakeSiteHost : ISiteHost
{
    private readonly TaskCompletionSource<FakeSiteApi> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeOptions? Options { get; private set; }

    public bool Stopped { get; private set; }

    /// <summary>Completes once a site is serving.</summary>
    public Task<FakeSiteApi> Started => _started.Task;

    public async Task<IRunningSite> StartAsync(NodeOptions options, CancellationToken ct)
    {
        Options = options;
        Directory.CreateDirectory(options.DataDirectory);
        var api = await FakeSiteApi.StartAsync(options.Name, options.Tier ?? "cloud");
        _started.SetResult(api);
        return new Running(this, api);
    }

    private sealed class Running(FakeSiteHost host, FakeSiteApi api) : IRunningSite
    {
        public SiteHostEndpoints Endpoints => new(api.Url, api.Url.Replace("http", "ingress", StringComparison.Ordinal), "redis://127.0.0.1:6379");

        public async Task StopAsync(CancellationToken ct)
        {
            host.Stopped = true;
            await api.DisposeAsync();
        }

        public Task WaitForShutdownAsync(CancellationToken ct) => Task.Delay(Timeout.Infinite, ct);

        public ValueTask DisposeAsync() => api.DisposeAsync();
    }
}
