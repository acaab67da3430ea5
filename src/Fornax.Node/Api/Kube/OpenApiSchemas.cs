using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// JSON schemas of the served kinds, generated from the serializer's own contract (<see cref="FornaxJson"/>), so the
/// schema kubectl validates against is the one the site parses with: same field names, same types, nothing else
/// allowed. Descriptions come from the doc comments. Nested objects are inlined; an object of any kind (a mission's
/// content) is open (<c>x-kubernetes-preserve-unknown-fields</c>), since the site checks each item by its own kind.
/// </summary>
internal sealed class OpenApiSchemas(XmlDocs docs)
{
    private static readonly JsonSerializerOptionsHolder s_contract = new();

    /// <summary>The definition name Kubernetes would give the kind: reversed group, version, kind.</summary>
    public static string DefinitionName(KindInfo kind) => "io.fornax.v1." + kind.Kind;

    public JsonObject ForKind(KindInfo kind)
    {
        var schema = ForType(kind.ClrType, depth: 0);
        var properties = (JsonObject)schema["properties"]!;
        properties["apiVersion"] = new JsonObject { ["type"] = "string", ["description"] = $"APIVersion of the object: {Kinds.ApiVersion}." };
        properties["kind"] = new JsonObject { ["type"] = "string", ["description"] = $"Kind of the object: {kind.Kind}." };
        schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(kind));
        return schema;
    }

    public static JsonObject Gvk(KindInfo kind) => new() { ["group"] = Kinds.Group, ["version"] = "v1", ["kind"] = kind.Kind };

    private JsonObject ForType(Type type, int depth)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (Primitive(type) is { } primitive)
        {
            return primitive;
        }

        if (type == typeof(FornaxObject) || typeof(JsonNode).IsAssignableFrom(type) && type != typeof(JsonArray) || depth > 12)
        {
            return Open();
        }

        if (type == typeof(JsonArray))
        {
            return new JsonObject { ["type"] = "array", ["items"] = Open() };
        }

        var info = s_contract.Info(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Enumerable:
                return new JsonObject { ["type"] = "array", ["items"] = ForType(info.ElementType!, depth + 1) };
            case JsonTypeInfoKind.Dictionary:
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = ForType(info.ElementType!, depth + 1) };
            case JsonTypeInfoKind.Object:
                var properties = new JsonObject();
                foreach (var property in info.Properties)
                {
                    var schema = ForType(property.PropertyType, depth + 1);
                    // The source generator gives each property its PropertyInfo (found by its literal name, so Native AOT keeps it).
                    var member = property.AttributeProvider as PropertyInfo;
                    var description = (member is null ? null : docs.Property(member)) ?? docs.Type(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
                    if (description is not null)
                    {
                        schema["description"] = description;
                    }

                    properties[property.Name] = schema;
                }

                var result = new JsonObject { ["type"] = "object", ["properties"] = properties };
                if (docs.Type(type) is { } typeDoc)
                {
                    result["description"] = typeDoc;
                }

                return result;
            default:
                return Open();
        }
    }

    private static JsonObject Open() => new() { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };

    private static JsonObject? Primitive(Type type) => type switch
    {
        _ when type == typeof(string) => new JsonObject { ["type"] = "string" },
        _ when type == typeof(bool) => new JsonObject { ["type"] = "boolean" },
        _ when type == typeof(int) || type == typeof(short) => new JsonObject { ["type"] = "integer", ["format"] = "int32" },
        _ when type == typeof(long) => new JsonObject { ["type"] = "integer", ["format"] = "int64" },
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => new JsonObject { ["type"] = "number", ["format"] = "double" },
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => new JsonObject { ["type"] = "string", ["format"] = "date-time" },
        _ when type == typeof(TimeSpan) => new JsonObject { ["type"] = "string" },
        _ when type.IsEnum => new JsonObject { ["type"] = "string" },
        _ => null,
    };

    /// <summary>The source-generated contract, asked for type by type.</summary>
    private sealed class JsonSerializerOptionsHolder
    {
        public JsonTypeInfo Info(Type type) => FornaxJson.Default.Options.GetTypeInfo(type);
    }
}
