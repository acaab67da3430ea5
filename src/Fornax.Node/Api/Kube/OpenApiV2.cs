using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// The OpenAPI v2 document: JSON, or the protocol-buffer form of gnostic's <c>openapi.v2.Document</c> that kubectl
/// asks for (<c>application/com.github.proto-openapi.spec.v2@v1.0+protobuf</c>) and cannot do without (its client-side
/// validation reads only that). The encoding covers what the site's document uses: swagger, info, paths (empty: kubectl
/// reads operations from v3) and definitions, whose schemas carry type, format, description, properties, items,
/// additionalProperties and vendor extensions (as YAML, which JSON is).
/// </summary>
internal static class OpenApiV2
{
    /// <summary>What Kubernetes answers with: the Accept form with "@" (not a token character) written as ".".</summary>
    public const string ProtobufType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    public static IResult Answer(OpenApiDocuments documents, HttpContext http) =>
        http.Request.Headers.Accept.ToString().Contains("protobuf", StringComparison.OrdinalIgnoreCase)
            ? Results.Bytes(documents.V2Protobuf, ProtobufType)
            : Results.Json(documents.V2, WebJson.Default.JsonObject);

    /// <summary>Encodes the v2 document (Document: swagger = 1, info = 2, paths = 8, definitions = 9).</summary>
    public static byte[] Encode(JsonObject document)
    {
        var writer = new ProtoWriter();
        writer.String(1, document["swagger"]?.ToString());
        writer.Message(2, info =>
        {
            info.String(1, document["info"]?["title"]?.ToString());
            info.String(2, document["info"]?["version"]?.ToString());
        });
        writer.Message(8, _ => { });
        writer.Message(9, definitions =>
        {
            foreach (var (name, schema) in (JsonObject)document["definitions"]!)
            {
                definitions.Message(1, named =>
                {
                    named.String(1, name);
                    named.Message(2, s => Schema(s, (JsonObject)schema!));
                });
            }
        });
        return writer.ToArray();
    }

    /// <summary>Schema: format = 2, description = 4, required = 19, additionalProperties = 21, type = 22, items = 23, properties = 25, vendor extensions = 31.</summary>
    private static void Schema(ProtoWriter writer, JsonObject schema)
    {
        writer.String(2, schema["format"]?.ToString());
        writer.String(4, schema["description"]?.ToString());
        foreach (var required in schema["required"] as JsonArray ?? [])
        {
            writer.String(19, required!.ToString());
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            writer.Message(21, item => item.Message(1, s => Schema(s, additional)));
        }

        if (schema["type"] is { } type)
        {
            writer.Message(22, t => t.String(1, type.ToString()));
        }

        if (schema["items"] is JsonObject items)
        {
            writer.Message(23, item => item.Message(1, s => Schema(s, items)));
        }

        if (schema["properties"] is JsonObject properties)
        {
            writer.Message(25, props =>
            {
                foreach (var (name, property) in properties)
                {
                    props.Message(1, named =>
                    {
                        named.String(1, name);
                        named.Message(2, s => Schema(s, (JsonObject)property!));
                    });
                }
            });
        }

        foreach (var (name, value) in schema.Where(p => p.Key.StartsWith("x-", StringComparison.Ordinal)))
        {
            writer.Message(31, named =>
            {
                named.String(1, name);
                named.Message(2, any => any.String(2, value!.ToJsonString() + "\n"));
            });
        }
    }
}
