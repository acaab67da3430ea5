using Fornax.Hierarchy.Links;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Kv;

/// <summary>
/// The child's side: keeps a <c>Replicate</c> stream open on the link to the parent whenever the link is up (a cut
/// ends it; it opens again once the link is back, and replication resumes from the last acknowledged change). A site
/// whose store was never used has nothing to send and holds nothing the parent could send: it starts once the store is
/// in use (<see cref="SiteKvStore.InUse"/>), and stops for good when the store cannot open. A refusal of this site's
/// data (<c>FailedPrecondition</c>: the parent forgot this site, and this store holds what it had then; or the parent's
/// store started afresh after the tree forgot it, and this store last replicated with the forgotten one) is told of
/// once, as an error, and asked again only now and then: only a start on other data changes the answer.
/// </summary>
internal sealed partial class KvUplinkReplication(Uplink? uplink, ILinkReplication replication, SiteKvStore store, TimeProvider time, ILogger<KvUplinkReplication> log) : BackgroundService
{
    /// <summary>How often a down link is tried again: the link itself reconnects; this only notices it is back.</summary>
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a parent that refused this site's data is asked again (its log names each refusal).</summary>
    private static readonly TimeSpan RetryRefused = TimeSpan.FromMinutes(1);

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
            var wait = Retry;
            try
            {
                await uplink.ReplicateAsync(replication, stoppingToken);
                store.UplinkRefusal = null;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.FailedPrecondition)
            {
                var before = store.UplinkRefusal;
                store.RefusedByParent(e.Status.Detail);
                if (store.UplinkRefusal != before)
                {
                    LogRefused(store.UplinkRefusal!);
                }

                wait = RetryRefused;
            }
            catch (InvalidOperationException)
            {
                // link down: try again shortly (a refusal stands until the parent answers again)
            }
            catch (Exception e) when (e is RpcException or IOException or Fornax.Kv.Replication.ReplicationProtocolException)
            {
                // the stream broke, or a session the parent let in ended: try again shortly
                store.UplinkRefusal = null;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(wait, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(EventId = 903, Level = LogLevel.Error, Message = "KV replication with the parent is refused: {Reason}")]
    private partial void LogRefused(string reason);
}
