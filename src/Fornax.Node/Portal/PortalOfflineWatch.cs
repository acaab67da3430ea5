using Fornax.Hierarchy.Links;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Portal;

/// <summary>A child the pruner declares offline takes its subtree's backends out of the service map's healthy set;
/// heard again on the same stream, it puts them back.</summary>
internal sealed class PortalOfflineWatch(Downlinks downlinks, IPortalMapExchange exchange) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildWentOffline += exchange.ChildOffline;
        downlinks.ChildBackOnline += exchange.ChildOnline;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildWentOffline -= exchange.ChildOffline;
        downlinks.ChildBackOnline -= exchange.ChildOnline;
        return Task.CompletedTask;
    }
}
