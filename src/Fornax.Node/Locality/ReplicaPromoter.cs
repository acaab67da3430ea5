using Fornax.Kv.Engine;
using Fornax.Node.Kv;
using Fornax.Scheduling.Locality;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Locality;

/// <summary>
/// Once a second, applies the <see cref="ReplicaAdvisor"/>'s promotions and drops to the site's holdings: a promoted
/// keyspace's prefix joins the store's replicated prefixes (its neighbours carry it here and catch the copy up), a
/// dropped one leaves them (the copy is removed here, not elsewhere). A keyspace whose object is gone is dropped too.
/// Promotions live in memory: a restarted site learns them again from its reads.
/// </summary>
internal sealed partial class ReplicaPromoter(ReplicaAdvisor advisor, KeyspaceHoldings holdings, KeyspaceDirectory directory, Kv.SiteKvStore store,
    LocalityOptions options, ILogger<ReplicaPromoter> log) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    Review();
                }
                catch (KvException e)
                {
                    LogReviewFailed(e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The site is stopping.
        }
    }

    /// <summary>One review: decides and applies.</summary>
    public void Review()
    {
        foreach (var change in advisor.Review(BytesHeld))
        {
            var (ns, name) = Split(change.Keyspace);
            var prefix = change.Promote ? PrefixText(ns, name) : null;
            if (change.Promote && prefix is null)
            {
                continue; // the keyspace is gone: nothing to hold
            }

            holdings.SetPromoted(ns, name, prefix, change.Reason);
            if (change.Promote)
            {
                LogPromoted(change.Keyspace, change.Reason);
            }
            else
            {
                LogDropped(change.Keyspace, change.Reason);
            }
        }
    }

    private long BytesHeld(string keyspace)
    {
        var (ns, name) = Split(keyspace);
        return PrefixText(ns, name) is { } prefix && store.OpenedOrNull is { } open ? KvKeyspaces.Figures(open, [prefix])[0].Bytes : 0;
    }

    private string? PrefixText(string ns, string name) => directory.Prefix(ns, name) is { } prefix ? System.Text.Encoding.UTF8.GetString(prefix) : null;

    private static (string Namespace, string Name) Split(string keyspace) => keyspace.IndexOf('/') is var slash and > 0 ? (keyspace[..slash], keyspace[(slash + 1)..]) : ("default", keyspace);

    [LoggerMessage(EventId = 761, Level = LogLevel.Information, Message = "Keyspace {Keyspace} is now held here (promoted: {Reason})")]
    private partial void LogPromoted(string keyspace, string reason);

    [LoggerMessage(EventId = 762, Level = LogLevel.Information, Message = "Keyspace {Keyspace}'s promoted copy dropped here: {Reason}")]
    private partial void LogDropped(string keyspace, string reason);

    [LoggerMessage(EventId = 763, Level = LogLevel.Warning, Message = "Could not review the promoted keyspaces: {Reason}")]
    private partial void LogReviewFailed(string reason);
}
