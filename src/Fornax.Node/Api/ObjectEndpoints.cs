using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Api;

/// <summary>The Kubernetes-style REST API over the site's object store (see docs/api.md).</summary>
internal static class ObjectEndpoints
{
    public const string Prefix = "/apis/fornax.io/v1";

    public static void MapObjectApiWithErrors(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix).WithMetadata(new ListenerMetadata(Listeners.Api)).AddEndpointFilter<StoreErrorFilter>();
        api.MapGet("/{plural}", (string plural, HttpContext http, ObjectApi handler) => handler.ListAsync(plural, null, http));
        api.MapGet("/namespaces/{ns}/{plural}", (string ns, string plural, HttpContext http, ObjectApi handler) => handler.ListAsync(plural, ns, http));
        api.MapGet("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, ObjectApi handler, CancellationToken ct) => handler.GetAsync(plural, ns, name, ct));
        api.MapPost("/namespaces/{ns}/{plural}", (string ns, string plural, HttpRequest request, ObjectApi handler) => handler.WriteAsync(plural, ns, null, request, create: true));
        api.MapPut("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, HttpRequest request, ObjectApi handler) => handler.WriteAsync(plural, ns, name, request, create: false));
        api.MapPut("/namespaces/{ns}/{plural}/{name}/status", (string ns, string plural, string name, HttpRequest request, ObjectApi handler) => handler.WriteStatusAsync(plural, ns, name, request));
        api.MapDelete("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, long? resourceVersion, ObjectApi handler, CancellationToken ct) => handler.DeleteAsync(plural, ns, name, resourceVersion, ct));
    }
}

/// <summary>The handlers behind <see cref="ObjectEndpoints"/>.</summary>
internal sealed class ObjectApi(IObjectStore store, NodeOptions options, IEnumerable<IAdmissionCheck> admission, SiteHeartbeats heartbeats)
{
    public async Task<IResult> ListAsync(string plural, string? ns, HttpContext http)
    {
        if (!TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var query = http.Request.Query;
        if (query["watch"] is { Count: > 0 } watch && watch[0] is "true" or "1")
        {
            var from = long.TryParse(query["resourceVersion"].FirstOrDefault(), out var rv) ? rv : 0;
            await WatchStream.RunAsync(http, store, from, kind.Kind, ns);
            return Results.Empty;
        }

        var list = await store.ListAsync(kind.Kind, ns, http.RequestAborted);
        var items = new JsonArray(list.Items.Select(i => (JsonNode)heartbeats.Fresh(i, copy: true)).ToArray());
        return Results.Json(new JsonObject
        {
            ["apiVersion"] = Kinds.ApiVersion,
            ["kind"] = kind.Kind + "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = list.ResourceVersion },
            ["items"] = items,
        });
    }

    public async Task<IResult> GetAsync(string plural, string ns, string name, CancellationToken ct)
    {
        if (!TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var found = await store.GetAsync(new ObjectKey(kind.Kind, ns, name), ct);
        return found is null
            ? ApiStatus.NotFound($"{kind.Singular} \"{name}\" not found in namespace \"{ns}\"")
            : Results.Json(heartbeats.Fresh(found, copy: false));
    }

    public async Task<IResult> WriteAsync(string plural, string ns, string? name, HttpRequest request, bool create)
    {
        var (kind, text, error) = await ReadWriteRequestAsync(plural, request);
        if (error is not null)
        {
            return error;
        }

        FornaxObject obj;
        try
        {
            obj = Parse(text);
        }
        catch (ObjectValidationException e)
        {
            return ApiStatus.BadRequest(e.Message);
        }

        return await WriteObjectAsync(obj, kind, ns, name, request.HttpContext, create);
    }

    /// <summary>Checks and stores one parsed object as <c>PUT</c> (apply) or <c>POST</c> (create) does; also the dashboard's apply.</summary>
    public async Task<IResult> WriteObjectAsync(FornaxObject obj, KindInfo kind, string ns, string? name, HttpContext http, bool create)
    {
        var request = http.Request;
        var ct = http.RequestAborted;
        if (obj.Kind != kind.Kind)
        {
            return ApiStatus.BadRequest($"the body is a {obj.Kind} but the path is for {kind.Plural}");
        }

        obj.Metadata.Namespace ??= ns;
        if (obj.Metadata.Namespace != ns)
        {
            return ApiStatus.BadRequest($"metadata.namespace \"{obj.Metadata.Namespace}\" does not match the namespace \"{ns}\" in the path");
        }

        if (name is not null && obj.Metadata.Name != name)
        {
            return ApiStatus.BadRequest($"metadata.name \"{obj.Metadata.Name}\" does not match the name \"{name}\" in the path");
        }

        var context = new ValidationContext();
        foreach (var error2 in ObjectValidator.Validate(obj))
        {
            context.Add(error2.Path, error2.Message);
        }

        if (context.Count == 0)
        {
            foreach (var check in admission)
            {
                await check.CheckAsync(obj, context, ct);
            }
        }

        if (context.Count > 0)
        {
            return ApiStatus.Invalid(new ObjectValidationException(context.Errors, $"{obj.Kind} \"{obj.Metadata.Name}\""), obj.Kind, obj.Metadata.Name);
        }

        if (InheritedMissions.RefuseOriginAnnotation(obj) is { } annotated)
        {
            return annotated;
        }

        if (await InheritedMissions.RefuseChangeAsync(store, new ObjectKey(obj.Kind, ns, obj.Metadata.Name!), "change", ct) is { } inherited)
        {
            return inherited;
        }

        var json = ObjectSerializer.ToJsonObject(obj);
        if (create)
        {
            var created = await store.CreateAsync(json, ct);
            return Results.Json(created.Object, statusCode: StatusCodes.Status201Created);
        }

        var (stored, outcome) = await store.ApplyAsync(json, ct);
        request.HttpContext.Response.Headers["Fornax-Apply-Outcome"] = outcome.ToString().ToLowerInvariant();
        return Results.Json(stored.Object, statusCode: outcome == ApplyOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    public async Task<IResult> WriteStatusAsync(string plural, string ns, string name, HttpRequest request)
    {
        var (kind, text, error) = await ReadWriteRequestAsync(plural, request);
        if (error is not null)
        {
            return error;
        }

        var ct = request.HttpContext.RequestAborted;

        JsonObject body;
        try
        {
            body = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("expected an object");
        }
        catch (JsonException e)
        {
            return ApiStatus.BadRequest($"invalid JSON: {e.Message}");
        }

        long? expected = body["metadata"]?["resourceVersion"]?.GetValue<long>();
        var stored = await store.UpdateStatusAsync(new ObjectKey(kind.Kind, ns, name), body["status"]?.DeepClone(), expected, ct);
        return Results.Json(stored.Object);
    }

    public async Task<IResult> DeleteAsync(string plural, string ns, string name, long? resourceVersion, CancellationToken ct)
    {
        if (!TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var key = new ObjectKey(kind.Kind, ns, name);
        if (await InheritedMissions.RefuseChangeAsync(store, key, "delete", ct) is { } inherited)
        {
            return inherited;
        }

        var deleted = await store.DeleteAsync(key, resourceVersion, ct);
        return Results.Json(deleted.Object);
    }

    /// <summary>The kind named by the path and the body (up to the size limit), or the error to answer with.</summary>
    private async Task<(KindInfo Kind, string Text, IResult? Error)> ReadWriteRequestAsync(string plural, HttpRequest request)
    {
        if (!TryKind(plural, out var kind, out var error))
        {
            return (kind, "", error);
        }

        var text = await RequestBodies.ReadTextAsync(request, options.MaxRequestBodyBytes, request.HttpContext.RequestAborted);
        return text is null ? (kind, "", ApiStatus.TooLarge(options.MaxRequestBodyBytes)) : (kind, text, null);
    }

    private static FornaxObject Parse(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            return ObjectSerializer.FromJson(text);
        }

        var documents = ObjectSerializer.ParseDocuments(text, validate: false);
        return documents.Count == 1
            ? documents[0]
            : throw new ObjectValidationException([new ValidationError("(body)", $"expected one object, found {documents.Count}")]);
    }

    private static bool TryKind(string plural, out KindInfo kind, out IResult error)
    {
        kind = Kinds.Find(plural)!;
        if (kind is null || !kind.Stored || !string.Equals(plural, kind.Plural, StringComparison.Ordinal))
        {
            error = ApiStatus.NotFound($"the server could not find the resource \"{plural}\" (known: {string.Join(", ", Kinds.All.Where(k => k.Stored).Select(k => k.Plural))})");
            return false;
        }

        error = Results.Empty;
        return true;
    }
}
