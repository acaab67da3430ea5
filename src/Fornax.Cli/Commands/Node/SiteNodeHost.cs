using Fornax.Node;
using Fornax.Node.Hosting;

namespace Fornax.Cli.Commands.Node;

/// <summary>Runs a real <see cref="SiteNode"/> in this process.</summary>
internal sealed class SiteNodeHost : ISiteHost
{
    public async Task<IRunningSite> StartAsync(NodeOptions options, CancellationToken ct) =>
        new RunningSiteNode(await SiteNode.StartAsync(options, ct));

    private sealed class RunningSiteNode(SiteNode node) : IRunningSite
    {
        public SiteHostEndpoints Endpoints => new(node.Endpoints.Api, node.Endpoints.Ingress, node.Endpoints.Resp);

        public Task StopAsync(CancellationToken ct) => node.StopAsync(ct);

        public Task WaitForShutdownAsync(CancellationToken ct) => node.WaitForShutdownAsync(ct);

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }
}
