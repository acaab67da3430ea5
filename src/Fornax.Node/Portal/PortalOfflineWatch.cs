using Fornax.Hierarchy.Links;
using Fornax.Portal;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Portal;

/// <summary>A child the pruner declares offline takes its subtree's backends out of the service map's healthy set;
/// heard again on the same stream, it puts them back; forgotten, its subtree leaves the map (and the tree hears it).</summary>
internal sealed class PortalOfflineWatch(Downlinks downlinks, IPortalMapExchange exchange, IServiceMap map) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildWentOffline += exchange.ChildOffline;
        downlinks.ChildBackOnline += exchange.ChildOnline;
        downlinks.ChildForgotten += Forget;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildWentOffline -= exchange.ChildOffline;
        downlinks.ChildBackOnline -= exchange.ChildOnline;
        downlinks.ChildForgotten -= Forget;
        return Task.CompletedTask;
    }

    private void Forget(string childPath) => map.Remove(childPath);
}
