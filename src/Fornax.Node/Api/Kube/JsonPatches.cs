using System.Text.Json.Nodes;

namespace Fornax.Node.Api.Kube;

/// <summary>A patch that cannot be applied; the message names the operation or field.</summary>
internal sealed class PatchException(string message) : Exception(message);

/// <summary>JSON merge patch (RFC 7386) and JSON patch (RFC 6902) over <see cref="JsonNode"/> documents.</summary>
internal static class JsonPatches
{
    /// <summary>RFC 7386: objects merge key by key, <c>null</c> removes, anything else (lists too) replaces.</summary>
    public static JsonNode? Merge(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Merge(result[key], value);
                result.Remove(key);
                result[key] = merged;
            }
        }

        return result;
    }

    /// <summary>RFC 6902: add, remove, replace, move, copy and test, in order; the first failing operation stops it.</summary>
    public static JsonNode? Apply(JsonNode? document, JsonArray operations)
    {
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is not JsonObject op || op["op"]?.GetValue<string>() is not { } name || op["path"]?.GetValue<string>() is not { } path)
            {
                throw new PatchException($"operation {i}: needs \"op\" and \"path\"");
            }

            var where = $"operation {i} ({name} {path})";
            switch (name)
            {
                case "add":
                    document = Add(document, Pointer(path, where), Value(op, where), where);
                    break;
                case "remove":
                    Remove(document, Pointer(path, where), where);
                    break;
                case "replace":
                    Remove(document, Pointer(path, where), where);
                    document = Add(document, Pointer(path, where), Value(op, where), where);
                    break;
                case "move" or "copy":
                    var from = Pointer(op["from"]?.GetValue<string>() ?? throw new PatchException($"{where}: needs \"from\""), where);
                    var value = Get(document, from, where)?.DeepClone();
                    if (name == "move")
                    {
                        Remove(document, from, where);
                    }

                    document = Add(document, Pointer(path, where), value, where);
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, Pointer(path, where), where), Value(op, where)))
                    {
                        throw new PatchException($"{where}: the value differs");
                    }

                    break;
                default:
                    throw new PatchException($"operation {i}: \"{name}\" is not one of add, remove, replace, move, copy, test");
            }
        }

        return document;
    }

    private static JsonNode? Value(JsonObject op, string where) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new PatchException($"{where}: needs \"value\"");

    private static string[] Pointer(string path, string where)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (path[0] != '/')
        {
            throw new PatchException($"{where}: \"{path}\" is not a JSON pointer (it starts with /)");
        }

        return [.. path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    private static JsonNode? Get(JsonNode? node, string[] pointer, string where)
    {
        foreach (var token in pointer)
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when int.TryParse(token, out var index) && index >= 0 && index < a.Count => a[index],
                _ => throw new PatchException($"{where}: the path does not exist"),
            };
        }

        return node;
    }

    private static JsonNode? Add(JsonNode? document, string[] pointer, JsonNode? value, string where)
    {
        if (pointer.Length == 0)
        {
            return value;
        }

        var parent = Get(document, pointer[..^1], where);
        var last = pointer[^1];
        switch (parent)
        {
            case JsonObject o:
                o.Remove(last);
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var index) && index >= 0 && index <= a.Count:
                a.Insert(index, value);
                break;
            default:
                throw new PatchException($"{where}: the path does not exist");
        }

        return document;
    }

    private static void Remove(JsonNode? document, string[] pointer, string where)
    {
        if (pointer.Length == 0)
        {
            throw new PatchException($"{where}: cannot remove the whole object");
        }

        var parent = Get(document, pointer[..^1], where);
        var last = pointer[^1];
        var removed = parent switch
        {
            JsonObject o => o.Remove(last),
            JsonArray a when int.TryParse(last, out var index) && index >= 0 && index < a.Count => Remove(a, index),
            _ => false,
        };
        if (!removed)
        {
            throw new PatchException($"{where}: the path does not exist");
        }
    }

    private static bool Remove(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }
}
