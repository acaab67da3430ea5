using Fornax.Hierarchy.Links;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Kv;

/// <summary>
/// The child's side: keeps a <c>Replicate</c> stream open on the link to the parent whenever the link is up (a cut
/// ends it; it opens again once the link is back, and replication resumes from the last acknowledged change). A site
/// whose store was never used has nothing to send and holds nothing the parent could send: it starts once the store is
/// in use (<see cref="SiteKvStore.InUse"/>), and stops for good when the store cannot open.
/// </summary>
internal sealed class KvUplinkReplication(Uplink? uplink, ILinkReplication replication, SiteKvStore store, TimeProvider time) : BackgroundService
{
    /// <summary>How often a down link is tried again: the link itself reconnects; this only notices it is back.</summary>
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (uplink is null)
        {
            return; // the root has no parent
        }

        try
        {
            await store.InUse.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested && store.Failure is null)
        {
            try
            {
                await uplink.ReplicateAsync(replication, stoppingToken);
            }
            catch (Exception e) when (e is InvalidOperationException or RpcException or IOException or Fornax.Kv.Replication.ReplicationProtocolException)
            {
                // link down, or the stream broke: try again shortly
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(Retry, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
