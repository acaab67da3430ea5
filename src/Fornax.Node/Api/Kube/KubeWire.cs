using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// The few places where the site's JSON differs from what Kubernetes clients decode. client-go's
/// <c>ObjectMeta</c> and KubernetesClient's <c>V1ObjectMeta</c> hold <c>resourceVersion</c> as an opaque
/// string, and a JSON number there fails their typed decoders, so every object leaves the API with it quoted.
/// Fornax's own readers accept both.
/// </summary>
internal static class KubeWire
{
    /// <summary>Quotes <c>metadata.resourceVersion</c> in place and returns the same object.</summary>
    public static JsonObject Object(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata && metadata["resourceVersion"] is JsonValue rv && rv.GetValueKind() == JsonValueKind.Number)
        {
            metadata["resourceVersion"] = rv.ToString();
        }

        return obj;
    }

    /// <summary>Reads a resourceVersion a client sent, quoted or not; absent is null.</summary>
    public static bool TryReadVersion(JsonNode? node, out long? version)
    {
        version = null;
        if (node is null)
        {
            return true;
        }

        if (node is JsonValue value && (value.TryGetValue<long>(out var number)
            || (value.TryGetValue<string>(out var text) && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))))
        {
            version = number;
            return true;
        }

        return false;
    }

    public static string Version(long resourceVersion) => resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The <c>{Kind}List</c> envelope of a list answer.</summary>
    public static JsonObject List(string kind, long resourceVersion, IEnumerable<JsonObject> items, string? next = null, long? remaining = null)
    {
        var metadata = new JsonObject { ["resourceVersion"] = Version(resourceVersion) };
        if (next is not null)
        {
            metadata["continue"] = next;
            metadata["remainingItemCount"] = remaining;
        }

        return new JsonObject
        {
            ["apiVersion"] = Kinds.ApiVersion,
            ["kind"] = kind + "List",
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. items.Select(i => (JsonNode)Object(i))]),
        };
    }
}
