using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Hosting;

/// <summary>
/// A site whose disk is full keeps serving reads with its store read-only (docs/site.md, "A full disk"). This says so
/// in the log, checks on a timer of the site's clock for room to take writes again, and once writes resume records
/// what the start could not (the site's own <c>Site</c> object, <c>DATA/endpoints.json</c>).
/// </summary>
internal sealed partial class StorageMonitor(IObjectStore store, NodeOptions options, SiteNodeHolder holder, ILogger<StorageMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.StorageChanged += OnStorageChanged;
        try
        {
            if (store.Storage is { ReadOnly: true } state)
            {
                LogReadOnly(state.Reason!, DiskSpaceNeeded, options.StorageCheckInterval.TotalSeconds);
            }

            using var timer = new PeriodicTimer(options.StorageCheckInterval, options.TimeProvider);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (store.Storage.ReadOnly)
                {
                    TryResumeWrites();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            store.StorageChanged -= OnStorageChanged;
        }
    }

    private static string DiskSpaceNeeded => "1 MiB";

    /// <summary>A database that fails to reopen for another reason than room is logged; the next tick tries again.</summary>
    private void TryResumeWrites()
    {
        try
        {
            store.TryResumeWrites();
        }
        catch (Exception e) when (e is StoreException or System.Data.Common.DbException or IOException)
        {
            LogResumeFailed(e);
        }
    }

    private void OnStorageChanged(StorageState state)
    {
        if (state.Lost)
        {
            LogLost(state.Reason!);
            return;
        }

        if (state.ReadOnly)
        {
            LogReadOnly(state.Reason!, DiskSpaceNeeded, options.StorageCheckInterval.TotalSeconds);
            return;
        }

        LogWritable();
        if (holder.Node is { } node)
        {
            _ = RecordStartAsync(node);
        }
    }

    /// <summary>What the start skipped, written now; a failure other than a full disk (which it skips again) is logged.</summary>
    private async Task RecordStartAsync(SiteNode node)
    {
        try
        {
            await node.RecordStartAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is StoreException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            LogRecordFailed(e);
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "The object store is read-only: {Reason}. Reads are served; writes answer 507 until that disk has {Needed} free (delete files there or grow it; checked every {Seconds} s, no restart needed)")]
    private partial void LogReadOnly(string reason, string needed, double seconds);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "The object store is read-only for good: {Reason}. Writes answer 507 until the site is restarted, which starts it afresh on that directory: what it held went with the directory")]
    private partial void LogLost(string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "The object store takes writes again: its disk has room")]
    private partial void LogWritable();

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "The disk has room, but the object store could not be reopened for writes; trying again")]
    private partial void LogResumeFailed(Exception e);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Could not record this site's Site object and endpoints.json after writes resumed")]
    private partial void LogRecordFailed(Exception e);
}
