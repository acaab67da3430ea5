using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Fornax.Core.Validation;

namespace Fornax.Core.Serialization;

/// <summary>
/// Walks a JSON document beside the serializer's contract and reports every field the contract does not
/// know, with its path and the nearest known name, before deserialization stops at the first one.
/// </summary>
internal static class UnknownFields
{
    public static void Check(JsonNode? node, JsonTypeInfo info, string path, ValidationContext context)
    {
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when node is JsonObject obj:
                CheckObject(obj, info, path, context);
                break;
            case JsonTypeInfoKind.Enumerable when node is JsonArray array && info.ElementType is { } element:
                var elementInfo = info.Options.GetTypeInfo(element);
                for (var i = 0; i < array.Count; i++)
                {
                    Check(array[i], elementInfo, $"{path}[{i}]", context);
                }

                break;
            case JsonTypeInfoKind.Dictionary when node is JsonObject map && info.ElementType is { } value:
                var valueInfo = info.Options.GetTypeInfo(value);
                foreach (var (key, child) in map)
                {
                    Check(child, valueInfo, $"{path}[{key}]", context);
                }

                break;
        }
    }

    private static void CheckObject(JsonObject obj, JsonTypeInfo info, string path, ValidationContext context)
    {
        var polymorphic = info.PolymorphismOptions is not null;
        if (info.PolymorphismOptions is { } poly)
        {
            var kind = obj["kind"] is JsonValue v && v.TryGetValue<string>(out var k) ? k : null;
            var derived = poly.DerivedTypes.FirstOrDefault(d => d.TypeDiscriminator as string == kind);
            if (kind is null)
            {
                context.Add(Join(path, "kind"), "required");
                return;
            }

            if (derived.DerivedType is null)
            {
                var known = string.Join(", ", poly.DerivedTypes.Select(d => d.TypeDiscriminator));
                context.Add(Join(path, "kind"), $"\"{kind}\" is not a known kind (known: {known})");
                return;
            }

            info = info.Options.GetTypeInfo(derived.DerivedType);
        }

        var properties = info.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, child) in obj)
        {
            if (polymorphic && name == "kind")
            {
                continue;
            }

            if (!properties.TryGetValue(name, out var property))
            {
                var hint = Suggestions.Nearest(name, properties.Keys, Math.Max(1, name.Length / 4));
                context.Add(Join(path, name), hint is null ? "unknown field" : $"unknown field (did you mean \"{hint}\"?)");
                continue;
            }

            if (property.CustomConverter is null)
            {
                Check(child, info.Options.GetTypeInfo(property.PropertyType), Join(path, name), context);
            }
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";
}
