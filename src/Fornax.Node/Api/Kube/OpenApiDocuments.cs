using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// The OpenAPI v2 and v3 documents of the <c>fornax.io/v1</c> group: a schema per kind (<see cref="OpenApiSchemas"/>)
/// tagged with <c>x-kubernetes-group-version-kind</c>, and paths whose operations carry the same tag, which is how
/// kubectl finds the schema for a kind (client-side validation, <c>explain</c>) and the patch types a kind accepts.
/// The PATCH operations do not list <c>fieldValidation</c>, so kubectl validates on its side, against these schemas.
/// </summary>
internal sealed class OpenApiDocuments
{
    public OpenApiDocuments()
    {
        var schemas = new OpenApiSchemas(new XmlDocs(typeof(Kinds).Assembly));
        var definitions = new JsonObject();
        foreach (var kind in KubeDiscovery.Served)
        {
            definitions[OpenApiSchemas.DefinitionName(kind)] = schemas.ForKind(kind);
        }

        V2 = new JsonObject
        {
            ["swagger"] = "2.0",
            ["info"] = new JsonObject { ["title"] = "Fornax", ["version"] = "v1" },
            ["paths"] = Paths(v3: false),
            ["definitions"] = definitions.DeepClone(),
        };
        V3Group = new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Fornax", ["version"] = "v1" },
            ["paths"] = Paths(v3: true),
            ["components"] = new JsonObject { ["schemas"] = definitions },
        };
        V2Protobuf = OpenApiV2.Encode(V2);
        V3GroupJson = V3Group.ToJsonString();
        V3GroupHash = Convert.ToHexString(SHA512.HashData(Encoding.UTF8.GetBytes(V3GroupJson)));
    }

    public JsonObject V2 { get; }

    public byte[] V2Protobuf { get; }

    public JsonObject V3Group { get; }

    public string V3GroupJson { get; }

    /// <summary>kubectl caches a group's document by this hash (the <c>serverRelativeURL</c> of <c>/openapi/v3</c>).</summary>
    public string V3GroupHash { get; }

    public string V3GroupPath => "apis/" + Kinds.ApiVersion;

    private static JsonObject Paths(bool v3)
    {
        var paths = new JsonObject();
        foreach (var kind in KubeDiscovery.Served)
        {
            var collection = $"{ObjectEndpoints.Prefix}/namespaces/{{namespace}}/{kind.Plural}";
            paths[collection] = new JsonObject
            {
                ["get"] = Operation(kind, "list", v3, null),
                ["post"] = Operation(kind, "post", v3, ["application/json", "application/yaml"]),
                ["delete"] = Operation(kind, "deletecollection", v3, null),
                ["parameters"] = new JsonArray(PathParameter("namespace", v3)),
            };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["get"] = Operation(kind, "get", v3, null),
                ["put"] = Operation(kind, "put", v3, ["application/json", "application/yaml"]),
                ["patch"] = Operation(kind, "patch", v3, PatchApi.Types),
                ["delete"] = Operation(kind, "delete", v3, null),
                ["parameters"] = new JsonArray(PathParameter("name", v3), PathParameter("namespace", v3)),
            };
        }

        return paths;
    }

    private static JsonObject Operation(KindInfo kind, string action, bool v3, string[]? bodyTypes)
    {
        var reference = (v3 ? "#/components/schemas/" : "#/definitions/") + OpenApiSchemas.DefinitionName(kind);
        var parameters = new JsonArray(QueryParameter("dryRun", v3));
        if (action == "patch")
        {
            parameters.Add((JsonNode)QueryParameter("fieldManager", v3));
            parameters.Add((JsonNode)QueryParameter("force", v3));
        }

        var op = new JsonObject
        {
            ["operationId"] = action + kind.Kind,
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = OpenApiSchemas.Gvk(kind),
            ["parameters"] = parameters,
        };
        var ok = new JsonObject { ["description"] = "OK" };
        if (v3)
        {
            ok["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = reference } } };
            if (bodyTypes is not null)
            {
                var content = new JsonObject();
                foreach (var type in bodyTypes)
                {
                    content[type] = new JsonObject { ["schema"] = type.StartsWith("application/json-patch", StringComparison.Ordinal) ? new JsonObject { ["type"] = "array" } : new JsonObject { ["$ref"] = reference } };
                }

                op["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
            }
        }
        else
        {
            ok["schema"] = new JsonObject { ["$ref"] = reference };
            if (bodyTypes is not null)
            {
                op["consumes"] = KubeDiscovery.Strings(bodyTypes);
                parameters.Add((JsonNode)new JsonObject { ["name"] = "body", ["in"] = "body", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "object" } });
            }
        }

        op["responses"] = new JsonObject { ["200"] = ok };
        return op;
    }

    private static JsonObject QueryParameter(string name, bool v3) => v3
        ? new JsonObject { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }
        : new JsonObject { ["name"] = name, ["in"] = "query", ["type"] = "string" };

    private static JsonObject PathParameter(string name, bool v3) => v3
        ? new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } }
        : new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["type"] = "string" };
}
