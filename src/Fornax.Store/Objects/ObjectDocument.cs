using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fornax.Store;

/// <summary>
/// The rules of an unstructured object: which fields identify it, which the store owns, and which
/// count as its desired state. Pure functions over <see cref="JsonObject"/>; never mutates input.
/// </summary>
internal static class ObjectDocument
{
    // Kubernetes limits names to a DNS subdomain (253 characters); we check only what would break
    // keys and messages (empty, '/', control characters) and leave the rest to the typed layer.
    private const int MaxNameLength = 253;

    private static readonly HashSet<string> s_ownedMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp"];

    /// <summary>Validates an incoming object and extracts its key and resourceVersion precondition.</summary>
    public static (ObjectKey Key, long? ExpectedResourceVersion) Parse(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var kind = ReadString(obj["kind"], "kind", "object");
        if (string.IsNullOrEmpty(kind))
            StoreErrors.Invalid("object has no kind");
        if (obj["apiVersion"] is { } api && api.GetValueKind() != JsonValueKind.String)
            StoreErrors.Invalid($"{kind}: apiVersion must be a string");
        if (obj["metadata"] is not JsonObject metadata)
        {
            StoreErrors.Invalid($"{kind}: metadata is missing or not an object");
            return default;
        }
        var name = ReadString(metadata["name"], "metadata.name", kind);
        if (string.IsNullOrEmpty(name))
            StoreErrors.Invalid($"{kind}: metadata.name is missing");
        var ns = ReadString(metadata["namespace"], "metadata.namespace", kind);
        var key = new ObjectKey(kind, string.IsNullOrEmpty(ns) ? ObjectKey.DefaultNamespace : ns, name);
        CheckKey(key);
        if (obj["status"] is { } status && status.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Null))
            StoreErrors.Invalid($"{key}: status must be an object");
        return (key, ReadResourceVersion(metadata["resourceVersion"], key));
    }

    /// <summary>Validates a key given directly (Get, UpdateStatus, Delete); an empty namespace means default.</summary>
    public static ObjectKey NormalizeKey(ObjectKey key)
    {
        var normalized = string.IsNullOrEmpty(key.Namespace) ? key with { Namespace = ObjectKey.DefaultNamespace } : key;
        if (string.IsNullOrEmpty(normalized.Kind) || string.IsNullOrEmpty(normalized.Name))
            StoreErrors.Invalid($"key \"{key}\" needs a kind and a name");
        CheckKey(normalized);
        return normalized;
    }

    /// <summary>
    /// Builds the stored form: apiVersion, kind, metadata (owned fields first, then the client's
    /// labels, annotations and the rest), the desired state, and <paramref name="status"/> last.
    /// </summary>
    public static JsonObject Build(JsonObject input, ObjectKey key, string uid, string creationTimestamp, long resourceVersion, long generation, JsonNode? status)
    {
        var metadata = new JsonObject
        {
            ["name"] = key.Name,
            ["namespace"] = key.Namespace,
            ["uid"] = uid,
            ["resourceVersion"] = resourceVersion,
            ["generation"] = generation,
            ["creationTimestamp"] = creationTimestamp,
        };
        if (input["metadata"] is JsonObject clientMetadata)
        {
            foreach (var (name, value) in clientMetadata)
            {
                if (!s_ownedMetadata.Contains(name))
                    metadata[name] = value?.DeepClone();
            }
        }

        var doc = new JsonObject();
        if (input["apiVersion"] is { } apiVersion)
            doc["apiVersion"] = apiVersion.DeepClone();
        doc["kind"] = key.Kind;
        doc["metadata"] = metadata;
        foreach (var (name, value) in input)
        {
            if (name is not ("apiVersion" or "kind" or "metadata" or "status"))
                doc[name] = value?.DeepClone();
        }
        if (status is not null)
            doc["status"] = status.DeepClone();
        return doc;
    }

    /// <summary>
    /// True when the desired state (everything but metadata and status) is the same, compared as
    /// JSON values (property order does not matter); decides whether generation moves.
    /// </summary>
    public static bool SameDesiredState(JsonObject a, JsonObject b)
    {
        var count = 0;
        foreach (var (name, value) in a)
        {
            if (name is "metadata" or "status")
                continue;
            count++;
            if (!b.TryGetPropertyValue(name, out var other) || !JsonNode.DeepEquals(value, other))
                return false;
        }
        return count == b.Count(p => p.Key is not ("metadata" or "status"));
    }

    public static string Uid(JsonObject stored) => stored["metadata"]?["uid"]?.GetValue<string>() ?? Guid.NewGuid().ToString();

    public static string CreationTimestamp(JsonObject stored) => stored["metadata"]?["creationTimestamp"]?.GetValue<string>() ?? "";

    public static string FormatTimestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static void StampResourceVersion(JsonObject doc, long resourceVersion) =>
        doc["metadata"]!["resourceVersion"] = resourceVersion;

    private static string ReadString(JsonNode? node, string field, string owner)
    {
        if (node is null)
            return "";
        if (node.GetValueKind() != JsonValueKind.String)
            StoreErrors.Invalid($"{owner}: {field} must be a string, got {node.ToJsonString()}");
        return node.GetValue<string>();
    }

    private static long? ReadResourceVersion(JsonNode? node, ObjectKey key)
    {
        // Kubernetes clients send it as a string, ours as a number; accept both as a precondition.
        switch (node?.GetValueKind())
        {
            case null or JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when node.AsValue().TryGetValue<long>(out var n) && n >= 0:
                return n == 0 ? null : n;
            case JsonValueKind.String when long.TryParse(node.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var s):
                return s == 0 ? null : s;
            case JsonValueKind.String when node.GetValue<string>().Length == 0:
                return null;
            default:
                StoreErrors.Invalid($"{key}: metadata.resourceVersion {node.ToJsonString()} is not a non-negative integer");
                return null;
        }
    }

    private static void CheckKey(ObjectKey key)
    {
        CheckSegment(key.Kind, "kind", key);
        CheckSegment(key.Namespace, "metadata.namespace", key);
        CheckSegment(key.Name, "metadata.name", key);
    }

    private static void CheckSegment(string value, string field, ObjectKey key)
    {
        if (value.Length > MaxNameLength)
            StoreErrors.Invalid($"{key}: {field} is longer than {MaxNameLength} characters");
        foreach (var c in value)
        {
            if (c == '/' || char.IsControl(c) || char.IsWhiteSpace(c))
                StoreErrors.Invalid($"{key}: {field} \"{value}\" must not contain '/', whitespace or control characters");
        }
    }
}
