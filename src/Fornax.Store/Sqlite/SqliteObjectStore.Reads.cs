using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Fornax.Store;

internal sealed partial class SqliteObjectStore
{
    public Task<StoredObject?> GetAsync(ObjectKey key, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        key = ObjectDocument.NormalizeKey(key);
        using var connection = OpenReader();
        var row = ReadRow(connection, null, key);
        return Task.FromResult(row?.ToStoredObject(key));
    }

    public Task<ObjectList> ListAsync(string? kind, string? @namespace, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        using var connection = OpenReader();
        // One read transaction, so the version and the items come from the same snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        var resourceVersion = Schema.ReadMeta(connection, transaction, Schema.ResourceVersionKey);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT kind, namespace, name, rv, generation, json FROM objects
            WHERE ($kind IS NULL OR kind = $kind) AND ($ns IS NULL OR namespace = $ns)
            ORDER BY kind, namespace, name;
            """;
        command.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        command.Parameters.AddWithValue("$ns", (object?)@namespace ?? DBNull.Value);
        var items = new List<StoredObject>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                ct.ThrowIfCancellationRequested();
                var key = new ObjectKey(reader.GetString(0), reader.GetString(1), reader.GetString(2));
                items.Add(new StoredObject(key, reader.GetInt64(3), reader.GetInt64(4), ParseDocument(reader.GetString(5))));
            }
        }
        return Task.FromResult(new ObjectList(resourceVersion, items));
    }

    private SqliteConnection OpenReader()
    {
        ThrowIfDisposed();
        var connection = new SqliteConnection(_readConnectionString);
        connection.Open();
        return connection;
    }

    private static StoredRow? ReadRow(SqliteConnection connection, SqliteTransaction? transaction, ObjectKey key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT rv, generation, json FROM objects WHERE kind = $kind AND namespace = $ns AND name = $name;";
        command.Parameters.AddWithValue("$kind", key.Kind);
        command.Parameters.AddWithValue("$ns", key.Namespace);
        command.Parameters.AddWithValue("$name", key.Name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? new StoredRow(reader.GetInt64(0), reader.GetInt64(1), ParseDocument(reader.GetString(2))) : null;
    }

    private static JsonObject ParseDocument(string json) => JsonNode.Parse(json)!.AsObject();
}
