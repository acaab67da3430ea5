using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Api.Kube;

/// <summary><c>/openapi/v2</c>, <c>/openapi/v3</c> and <c>/openapi/v3/apis/fornax.io/v1</c>, built once per process.</summary>
internal static class OpenApiEndpoints
{
    private static readonly Lazy<OpenApiDocuments> s_documents = new(() => new OpenApiDocuments());

    public static void MapOpenApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/openapi").WithMetadata(new ListenerMetadata(Listeners.Api));
        api.MapGet("/v2", (HttpContext http) => OpenApiV2.Answer(s_documents.Value, http));
        api.MapGet("/v3", () =>
        {
            var docs = s_documents.Value;
            return Results.Json(new JsonObject
            {
                ["paths"] = new JsonObject
                {
                    [docs.V3GroupPath] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{docs.V3GroupPath}?hash={docs.V3GroupHash}" },
                },
            }, WebJson.Default.JsonObject);
        });
        api.MapGet("/v3/apis/fornax.io/v1", () => Results.Text(s_documents.Value.V3GroupJson, "application/json"));
    }
}
