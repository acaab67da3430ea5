using System.Text.Json.Nodes;

namespace Fornax.Store.Tests;

internal static class TestObjects
{
    public static JsonObject Mission(string name, int replicas = 1, string? @namespace = null, string? labels = null, long? resourceVersion = null)
    {
        var ns = @namespace is null ? "" : $", \"namespace\": \"{@namespace}\"";
        var rv = resourceVersion is null ? "" : $", \"resourceVersion\": {resourceVersion}";
        var lbl = labels is null ? "" : $", \"labels\": {labels}";
        return JsonNode.Parse($$"""
            {
              "apiVersion": "fornax.io/v1",
              "kind": "Mission",
              "metadata": { "name": "{{name}}"{{ns}}{{lbl}}{{rv}} },
              "spec": { "replicas": {{replicas}}, "placement": { "sites": ["a", "b"] } }
            }
            """)!.AsObject();
    }

    public static JsonObject ConfigMap(string name, string value) => JsonNode.Parse($$"""
        { "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "{{name}}" }, "data": { "key": "{{value}}" } }
        """)!.AsObject();

    public static ObjectKey MissionKey(string name, string @namespace = "default") => new("Mission", @namespace, name);

    public static IObjectStore Open(string directory, TimeProvider? time = null, int watchHistory = 100_000, int watchBuffer = 10_000, long? maxDatabaseBytes = null) =>
        ObjectStore.Open(new ObjectStoreOptions
        {
            DataDirectory = directory,
            TimeProvider = time ?? TimeProvider.System,
            WatchHistory = watchHistory,
            WatchBuffer = watchBuffer,
            MaxDatabaseBytes = maxDatabaseBytes,
        });
}
