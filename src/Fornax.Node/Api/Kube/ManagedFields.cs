using System.Text.Json.Nodes;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// Field sets in Kubernetes' <c>fieldsV1</c> form (<c>{"f:spec":{"f:placement":{"f:sites":{}}}}</c>) as lists of leaf
/// paths. Lists are atomic here (no Fornax list has merge keys), so a list is one leaf, as an atomic list is in Kubernetes.
/// </summary>
internal static class ManagedFields
{
    /// <summary>Fields the server owns or that apply does not manage (identity, server-set metadata, status).</summary>
    private static readonly HashSet<string> s_unmanagedTop = ["apiVersion", "kind", "status"];

    private static readonly HashSet<string> s_unmanagedMetadata =
        ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"];

    /// <summary>The leaf paths an applied configuration sets.</summary>
    public static List<string[]> Leaves(JsonObject applied)
    {
        var leaves = new List<string[]>();
        foreach (var (key, value) in applied)
        {
            if (s_unmanagedTop.Contains(key))
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                foreach (var (mkey, mvalue) in metadata)
                {
                    if (!s_unmanagedMetadata.Contains(mkey))
                    {
                        Collect(mvalue, ["metadata", mkey], leaves);
                    }
                }

                continue;
            }

            Collect(value, [key], leaves);
        }

        return leaves;
    }

    public static JsonObject Encode(IEnumerable<string[]> leaves)
    {
        var root = new JsonObject();
        foreach (var leaf in leaves)
        {
            var node = root;
            foreach (var segment in leaf)
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[key] = child;
                }

                node = child;
            }
        }

        return root;
    }

    public static List<string[]> Decode(JsonNode? fields)
    {
        var leaves = new List<string[]>();
        Decode(fields as JsonObject, [], leaves);
        return leaves;
    }

    /// <summary>Kubernetes' way of printing a field path in conflicts: <c>.spec.placement.sites</c>.</summary>
    public static string Format(string[] path) => "." + string.Join('.', path);

    public static bool Overlaps(string[] a, string[] b) => a.Zip(b).All(p => p.First == p.Second);

    public static JsonNode? Get(JsonNode? node, string[] path)
    {
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        return node;
    }

    public static void Remove(JsonObject obj, string[] path)
    {
        var parent = Get(obj, path[..^1]) as JsonObject;
        parent?.Remove(path[^1]);
    }

    private static void Collect(JsonNode? value, string[] path, List<string[]> leaves)
    {
        if (value is JsonObject { Count: > 0 } obj)
        {
            foreach (var (key, child) in obj)
            {
                Collect(child, [.. path, key], leaves);
            }
        }
        else
        {
            leaves.Add(path);
        }
    }

    private static void Decode(JsonObject? node, string[] path, List<string[]> leaves)
    {
        if (node is null)
        {
            return;
        }

        var children = node.Where(p => p.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
        if (children.Count == 0 && path.Length > 0)
        {
            leaves.Add(path);
            return;
        }

        foreach (var (key, child) in children)
        {
            Decode(child as JsonObject ?? new JsonObject(), [.. path, key[2..]], leaves);
        }
    }
}
