using Microsoft.Data.Sqlite;

namespace Fornax.Store;

/// <summary>Maps SQLite failures that callers can act on to <see cref="StoreException"/>s.</summary>
internal static class SqliteErrors
{
    /// <summary>https://www.sqlite.org/rescode.html#full: disk full, or max_page_count reached.</summary>
    public const int Full = 13;

    /// <summary>https://www.sqlite.org/rescode.html#ioerr: among others, a WAL index (<c>-shm</c>) that cannot grow on a full disk.</summary>
    public const int IoErr = 10;

    public static StoreException StorageFull(SqliteException error, string subject) => new(
        StoreErrorReason.StorageFull,
        $"{subject}: storage is full (disk or database size limit); nothing was written",
        error);
}
