using Fornax.Cli.Commands.Node;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Cli.Tests;

/// <summary>
/// The real <see cref="ISiteHost"/> (a <see cref="SiteNode"/> in this process), recording the options it was asked
/// to start with. The site it starts listens on free ports, so a test asking for 7100 does not clash with others.
/// </summary>
public sealed class RecordingSiteHost : ISiteHost
{
    private readonly TaskCompletionSource<SiteHostEndpoints> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The options exactly as the command passed them.</summary>
    public NodeOptions? Options { get; private set; }

    public bool Stopped { get; private set; }

    /// <summary>Completes with the site's endpoints once it is serving.</summary>
    public Task<SiteHostEndpoints> Started => _started.Task;

    public async Task<IRunningSite> StartAsync(NodeOptions options, CancellationToken ct)
    {
        Options = options;
        // Free ports instead of the fixed defaults; Warning keeps the site's Information lines out of the test log.
        var site = await SiteHosts.Default.StartAsync(options with { ApiPort = 0, IngressPort = 0, RespPort = 0, LogLevel = LogLevel.Warning }, ct);
        _started.SetResult(site.Endpoints);
        return new Running(this, site);
    }

    private sealed class Running(RecordingSiteHost host, IRunningSite site) : IRunningSite
    {
        public SiteHostEndpoints Endpoints => site.Endpoints;

        public Task StopAsync(CancellationToken ct)
        {
            host.Stopped = true;
            return site.StopAsync(ct);
        }

        public Task WaitForShutdownAsync(CancellationToken ct) => site.WaitForShutdownAsync(ct);

        public ValueTask DisposeAsync() => site.DisposeAsync();
    }
}
