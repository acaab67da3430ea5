using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Api;

/// <summary>Content-addressed blobs (Wasm modules and other large payloads) by sha256 digest.</summary>
internal static class BlobEndpoints
{
    public static void MapBlobApi(this IEndpointRouteBuilder app)
    {
        var blobs = app.MapGroup("/blobs").WithMetadata(new ListenerMetadata(Listeners.Api)).AddEndpointFilter<StoreErrorFilter>();
        // The limit is known only from the options, so it is set per site when the endpoint is mapped.
        blobs.MapPut("/{digest}", PutAsync).WithMetadata(new BodyLimit(app.ServiceProvider.GetRequiredService<NodeOptions>().MaxBlobBytes, "maxBlobBytes"));
        blobs.MapGet("/{digest}", (string digest, IBlobStore store) =>
            store.OpenRead(digest) is { } stream
                ? Results.Stream(stream, "application/octet-stream")
                : ApiStatus.NotFound($"blob {digest} is not stored at this site"));
        blobs.MapMethods("/{digest}", ["HEAD"], (string digest, IBlobStore store, HttpResponse response) =>
        {
            if (store.Length(digest) is not { } length)
            {
                return Results.NotFound();
            }

            response.ContentLength = length;
            return Results.Ok();
        });
    }

    private static async Task<IResult> PutAsync(string digest, HttpRequest request, IBlobStore store)
    {
        var stored = await store.PutAsync(request.Body, digest, request.HttpContext.RequestAborted);
        request.HttpContext.Response.Headers.Location = $"/blobs/{stored}";
        return Results.Json(new JsonObject { ["digest"] = stored }, WebJson.Default.JsonObject, statusCode: StatusCodes.Status201Created);
    }
}
