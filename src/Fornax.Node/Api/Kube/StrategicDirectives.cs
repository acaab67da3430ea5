using System.Text.Json.Nodes;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// A strategic merge patch over Fornax kinds is a JSON merge patch: no list has a merge key, so lists are replaced
/// whole, as kubectl computes them from the OpenAPI schema. <c>$setElementOrder</c> lists only restate an order and are
/// dropped; other directives (<c>$patch</c>, <c>$retainKeys</c>, <c>$deleteFromPrimitiveList</c>) need merge keys and are refused.
/// </summary>
internal static class StrategicDirectives
{
    public static JsonNode? Strip(JsonNode? patch, string path = "")
    {
        if (patch is not JsonObject obj)
        {
            return patch;
        }

        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                obj.Remove(key);
            }
            else if (key.StartsWith('$'))
            {
                throw new PatchException($"{(path.Length == 0 ? "" : path + ": ")}the directive \"{key}\" needs a list merge key, and Fornax lists have none");
            }
            else
            {
                Strip(obj[key], path.Length == 0 ? key : $"{path}.{key}");
            }
        }

        return obj;
    }
}
