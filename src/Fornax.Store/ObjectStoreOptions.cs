namespace Fornax.Store;

/// <summary>Settings of an <see cref="IObjectStore"/>; validated by <see cref="ObjectStore.Open"/>.</summary>
public sealed record ObjectStoreOptions
{
    /// <summary>The site's data directory; the database is <c>objects.db</c> in it, the lock file <c>lock</c>.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Source of creationTimestamp values.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How many change events are kept for watches and resyncs; a watch from an older version is Gone.
    /// 100,000 events of a few KB each is some hundreds of MB at most, and covers hours of churn.
    /// </summary>
    public int WatchHistory { get; init; } = 100_000;

    /// <summary>
    /// How many live events may queue for one watcher before it is ended with Gone. Bounds the
    /// memory a stalled watcher can pin, so that writers are never held up by a reader.
    /// </summary>
    public int WatchBuffer { get; init; } = 10_000;

    /// <summary>
    /// Optional cap on the database size in bytes (SQLite <c>max_page_count</c>); writes beyond it
    /// fail with StorageFull exactly as on a full disk. Null = no cap.
    /// </summary>
    public long? MaxDatabaseBytes { get; init; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new ArgumentException($"{nameof(DataDirectory)}: \"{DataDirectory}\" must name a directory", nameof(DataDirectory));
        if (WatchHistory < 1)
            throw new ArgumentOutOfRangeException(nameof(WatchHistory), WatchHistory, $"{nameof(WatchHistory)}: {WatchHistory} must be at least 1");
        if (WatchBuffer < 1)
            throw new ArgumentOutOfRangeException(nameof(WatchBuffer), WatchBuffer, $"{nameof(WatchBuffer)}: {WatchBuffer} must be at least 1");
        if (MaxDatabaseBytes is < 64 * 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxDatabaseBytes), MaxDatabaseBytes, $"{nameof(MaxDatabaseBytes)}: {MaxDatabaseBytes} must be at least 65536");
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
