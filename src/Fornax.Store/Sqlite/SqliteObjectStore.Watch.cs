using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Fornax.Store;

internal sealed partial class SqliteObjectStore
{
    // Rows read from the change log per read transaction: large enough to amortize a query,
    // small enough that a page of multi-KB objects stays a few MB.
    private const int HistoryPageSize = 512;

    /// <remarks>
    /// Three phases, so that no change is missed or repeated:
    /// 1. catch up from the change log, without a live subscription (a long history cannot
    ///    overflow the live buffer);
    /// 2. subscribe, then read the log again: everything committed before the subscription is in
    ///    the log, everything after it is in the subscription (writers publish after commit);
    /// 3. stream the subscription, skipping versions already delivered.
    /// </remarks>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        long fromResourceVersion,
        string? kind = null,
        string? @namespace = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromResourceVersion);
        ThrowIfDisposed();
        var cursor = new WatchCursor { Last = fromResourceVersion };

        foreach (var change in CatchUp(cursor, kind, @namespace, checkNotNewer: true, ct))
            yield return change.ToWatchEvent();

        using var subscription = _hub.Subscribe(kind, @namespace, _options.WatchBuffer);

        foreach (var change in CatchUp(cursor, kind, @namespace, checkNotNewer: false, ct))
            yield return change.ToWatchEvent();

        var reader = subscription.Reader;
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (reader.TryRead(out var change))
            {
                if (change.ResourceVersion <= cursor.Last)
                    continue;
                cursor.Last = change.ResourceVersion;
                yield return change.ToWatchEvent();
            }
        }

        // The hub ends subscriptions with Gone or ObjectDisposedException, which the reader throws
        // above; a plain completion would mean the store went away, so say so.
        throw new ObjectDisposedException(nameof(IObjectStore), $"the object store in {_directory} was closed");
    }

    private sealed class WatchCursor
    {
        /// <summary>The highest resourceVersion this watcher has accounted for (delivered or filtered out).</summary>
        public long Last { get; set; }
    }

    /// <summary>Replays the change log after <c>cursor.Last</c> up to the newest commit, page by page.</summary>
    private IEnumerable<ChangeRecord> CatchUp(WatchCursor cursor, string? kind, string? @namespace, bool checkNotNewer, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var page = ReadHistory(cursor.Last, kind, @namespace, checkNotNewer);
            checkNotNewer = false;
            foreach (var change in page.Changes)
            {
                cursor.Last = change.ResourceVersion;
                yield return change;
            }
            if (page.Complete)
            {
                // Nothing else matched up to the snapshot, so the filtered-out versions count as seen.
                cursor.Last = Math.Max(cursor.Last, page.SnapshotResourceVersion);
                yield break;
            }
        }
    }

    private readonly record struct HistoryPage(List<ChangeRecord> Changes, bool Complete, long SnapshotResourceVersion);

    /// <summary>Reads the next page of changes after <paramref name="after"/> from one snapshot.</summary>
    private HistoryPage ReadHistory(long after, string? kind, string? @namespace, bool checkNotNewer)
    {
        using var connection = OpenReader();
        using var transaction = connection.BeginTransaction(deferred: true);
        var current = Schema.ReadMeta(connection, transaction, Schema.ResourceVersionKey);
        var compactedThrough = Schema.ReadMeta(connection, transaction, Schema.CompactedThroughKey);
        if (after < compactedThrough)
        {
            throw StoreErrors.Gone(
                $"watch from resourceVersion {after}: changes up to {compactedThrough} have been compacted; list and watch again");
        }
        if (checkNotNewer && after > current)
        {
            // A version from the future means the data directory was reset under the client.
            throw StoreErrors.Gone(
                $"watch from resourceVersion {after}: the store is only at {current}; list and watch again");
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT rv, type, kind, namespace, name, generation, json FROM changes
            WHERE rv > $after AND ($kind IS NULL OR kind = $kind) AND ($ns IS NULL OR namespace = $ns)
            ORDER BY rv LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$after", after);
        command.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        command.Parameters.AddWithValue("$ns", (object?)@namespace ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", HistoryPageSize);
        var changes = new List<ChangeRecord>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                changes.Add(new ChangeRecord(
                    reader.GetInt64(0),
                    (WatchEventType)reader.GetInt32(1),
                    new ObjectKey(reader.GetString(2), reader.GetString(3), reader.GetString(4)),
                    reader.GetInt64(5),
                    reader.GetString(6)));
            }
        }
        return new HistoryPage(changes, changes.Count < HistoryPageSize, current);
    }
}
