using Microsoft.Data.Sqlite;

namespace Fornax.Store;

/// <summary>Creates the tables and sets the per-connection pragmas of the writer connection.</summary>
internal static class Schema
{
    public const string ResourceVersionKey = "resourceVersion";

    /// <summary>Every change with rv at or below this value has been compacted out of <c>changes</c>.</summary>
    public const string CompactedThroughKey = "compactedThrough";

    /// <summary>
    /// Versions up to this value may have been taken by relaxed commits that were not fsynced; written by every fsynced
    /// commit, set back to the resourceVersion by a clean close. A store that opens with it above its resourceVersion
    /// was not closed cleanly and continues after it, so no version handed out before a crash is ever reused.
    /// </summary>
    public const string ReservedThroughKey = "reservedThrough";

    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS objects (
            kind       TEXT NOT NULL,
            namespace  TEXT NOT NULL,
            name       TEXT NOT NULL,
            rv         INTEGER NOT NULL,
            generation INTEGER NOT NULL,
            json       TEXT NOT NULL,
            PRIMARY KEY (kind, namespace, name)
        ) WITHOUT ROWID;
        -- The change log behind watch: written in the same transaction as the object, one row per rv.
        CREATE TABLE IF NOT EXISTS changes (
            rv         INTEGER PRIMARY KEY,
            type       INTEGER NOT NULL,
            kind       TEXT NOT NULL,
            namespace  TEXT NOT NULL,
            name       TEXT NOT NULL,
            generation INTEGER NOT NULL,
            json       TEXT NOT NULL
        );
        INSERT OR IGNORE INTO meta (key, value) VALUES ('resourceVersion', 0), ('compactedThrough', 0);
        INSERT OR IGNORE INTO meta (key, value) SELECT 'reservedThrough', value FROM meta WHERE key = 'resourceVersion';
        PRAGMA user_version = 1;
        """;

    public static void Initialize(SqliteConnection writer, long? maxDatabaseBytes)
    {
        // WAL lets readers run beside the writer; synchronous=FULL fsyncs the WAL on every commit,
        // which is what makes an acknowledged write survive kill -9 and power loss. A group commit of
        // relaxed writes only switches to NORMAL for itself (SqliteObjectStore.Durability).
        Execute(writer, "PRAGMA journal_mode = WAL;");
        Execute(writer, "PRAGMA synchronous = FULL;");
        Execute(writer, CreateTables);
        if (maxDatabaseBytes is long max)
        {
            var pageSize = Scalar(writer, "PRAGMA page_size;");
            Execute(writer, $"PRAGMA max_page_count = {Math.Max(1, max / pageSize)};");
        }
    }

    public static long ReadMeta(SqliteConnection connection, SqliteTransaction? transaction, string key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT value FROM meta WHERE key = $key;";
        command.Parameters.AddWithValue("$key", key);
        return (long)command.ExecuteScalar()!;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
