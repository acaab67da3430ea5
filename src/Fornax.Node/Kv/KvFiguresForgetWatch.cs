using Fornax.Hierarchy.Links;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Kv;

/// <summary>A child forgotten here takes its subtree's KV figures with it: out of the Keyspace statuses here and (through
/// the figures the link carries up) at every ancestor.</summary>
internal sealed class KvFiguresForgetWatch(Downlinks downlinks, KvFiguresTable table) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildForgotten += table.RemoveSubtree;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildForgotten -= table.RemoveSubtree;
        return Task.CompletedTask;
    }
}
