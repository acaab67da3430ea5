using Fornax.Hierarchy.Links;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Kv;

/// <summary>
/// A child forgotten here takes its subtree's KV figures with it — out of the Keyspace statuses here and (through the
/// figures the link carries up) at every ancestor — and the store forgets it as a neighbour: what it kept until the
/// child acknowledged it (change-log entries, tombstones) goes.
/// </summary>
internal sealed class KvForgetWatch(Downlinks downlinks, KvFiguresTable table, SiteKvStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildForgotten += Forget;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        downlinks.ChildForgotten -= Forget;
        return Task.CompletedTask;
    }

    private void Forget(string childPath)
    {
        table.RemoveSubtree(childPath);
        store.ForgetNeighbour(childPath[(childPath.LastIndexOf('/') + 1)..]);
    }
}
