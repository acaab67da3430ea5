using System.Text.Json.Nodes;
using Fornax.Core.Columns;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// <c>meta.k8s.io/v1</c> <c>Table</c> answers (<c>Accept: application/json;as=Table;g=meta.k8s.io;v=v1</c>), with the
/// columns <c>fornax get</c> shows (<see cref="ObjectColumns"/>). The <c>-o wide</c> columns carry priority 1, so
/// kubectl shows them only with <c>-o wide</c>.
/// </summary>
internal static class KubeTables
{
    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("as=Table", StringComparison.OrdinalIgnoreCase);

    public static JsonObject Build(KindInfo kind, IReadOnlyList<JsonObject> objects, string? includeObject, DateTimeOffset now, JsonObject? listMetadata)
    {
        var typed = objects.Select(o => ObjectSerializer.FromJson(o.DeepClone())).ToList();
        var narrow = ObjectColumns.For(kind, [], wide: false, now).Headers.Length;
        var (headers, rows) = ObjectColumns.For(kind, typed, wide: true, now);
        var columns = new JsonArray();
        for (var i = 0; i < headers.Length; i++)
        {
            columns.Add((JsonNode)new JsonObject
            {
                ["name"] = headers[i],
                ["type"] = "string",
                ["format"] = i == 0 ? "name" : "",
                ["description"] = i == 0 ? "Name must be unique within a namespace." : "",
                ["priority"] = i < narrow ? 0 : 1,
            });
        }

        var tableRows = new JsonArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = new JsonObject { ["cells"] = KubeDiscovery.Strings(rows[r]) };
            if (RowObject(objects[r], includeObject) is { } obj)
            {
                row["object"] = obj;
            }

            tableRows.Add((JsonNode)row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata ?? new JsonObject(),
            ["columnDefinitions"] = columns,
            ["rows"] = tableRows,
        };
    }

    /// <summary>What a row carries: <c>includeObject=None|Metadata|Object</c>, Metadata by default, as Kubernetes does.</summary>
    private static JsonObject? RowObject(JsonObject obj, string? includeObject) => includeObject switch
    {
        "None" => null,
        "Object" => KubeWire.Object((JsonObject)obj.DeepClone()),
        _ => new JsonObject
        {
            ["kind"] = "PartialObjectMetadata",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = KubeWire.Object(new JsonObject { ["metadata"] = obj["metadata"]?.DeepClone() })["metadata"]!.DeepClone(),
        },
    };
}
