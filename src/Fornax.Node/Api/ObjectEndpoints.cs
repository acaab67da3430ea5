using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Node.Api.Kube;
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
        api.MapGet("/{plural}", (string plural, HttpContext http, ListApi lists) => lists.ListAsync(plural, null, http));
        api.MapGet("/namespaces/{ns}/{plural}", (string ns, string plural, HttpContext http, ListApi lists) => lists.ListAsync(plural, ns, http));
        api.MapDelete("/namespaces/{ns}/{plural}", (string ns, string plural, HttpContext http, ListApi lists) => lists.DeleteCollectionAsync(plural, ns, http));
        api.MapPatch("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, HttpRequest request, PatchApi patches) => patches.PatchAsync(plural, ns, name, request));
        api.MapGet("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, ObjectApi handler, CancellationToken ct) => handler.GetAsync(plural, ns, name, ct));
        api.MapPost("/namespaces/{ns}/{plural}", (string ns, string plural, HttpRequest request, ObjectApi handler) => handler.WriteAsync(plural, ns, null, request, create: true));
        api.MapPut("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, HttpRequest request, ObjectApi handler) => handler.WriteAsync(plural, ns, name, request, create: false));
        api.MapPut("/namespaces/{ns}/{plural}/{name}/status", (string ns, string plural, string name, HttpRequest request, ObjectApi handler) => handler.WriteStatusAsync(plural, ns, name, request));
        api.MapDelete("/namespaces/{ns}/{plural}/{name}", (string ns, string plural, string name, long? resourceVersion, ObjectApi handler, HttpContext http) => handler.DeleteAsync(plural, ns, name, resourceVersion, http));
    }
}

/// <summary>The handlers behind <see cref="ObjectEndpoints"/>.</summary>
internal sealed class ObjectApi(IObjectStore store, NodeOptions options, IEnumerable<IAdmissionCheck> admission, SiteHeartbeats heartbeats, RefusedModules refusedModules)
{
    public async Task<IResult> GetAsync(string plural, string ns, string name, CancellationToken ct)
    {
        if (!TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var found = await store.GetAsync(new ObjectKey(kind.Kind, ns, name), ct);
        return found is null
            ? ApiStatus.NotFound($"{kind.Singular} \"{name}\" not found in namespace \"{ns}\"")
            : Results.Json(KubeWire.Object(heartbeats.Fresh(found, copy: true)), WebJson.Default.JsonObject);
    }

    public async Task<IResult> WriteAsync(string plural, string ns, string? name, HttpRequest request, bool create)
    {
        var (kind, text, error) = await ReadWriteRequestAsync(plural, request);
        if (error is not null)
        {
            return error;
        }

        return await WriteTextAsync(kind, ns, name, text, create, request.HttpContext);
    }

    /// <summary>Parses, checks and writes one object (PUT, POST, and the result of a PATCH); <c>dryRun=All</c> writes nothing.</summary>
    internal async Task<IResult> WriteTextAsync(KindInfo kind, string ns, string? name, string text, bool create, HttpContext http)
    {
        var ct = http.RequestAborted;
        var dryRun = DryRun.Requested(http, out var dryRunError);
        if (dryRunError is not null)
        {
            return dryRunError;
        }

        FornaxObject obj;
        try
        {
            obj = Parse(text, WriteContentTypes.MediaType(http.Request.ContentType));
        }
        catch (ObjectValidationException e)
        {
            return ApiStatus.BadRequest(e.Message);
        }

        return await WriteObjectAsync(obj, kind, ns, name, http, create, dryRun);
    }

    /// <summary>Checks and stores one parsed object as <c>PUT</c> (apply) or <c>POST</c> (create) does; also the dashboard's apply.</summary>
    public async Task<IResult> WriteObjectAsync(FornaxObject obj, KindInfo kind, string ns, string? name, HttpContext http, bool create, bool dryRun = false)
    {
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

        if (create && obj.Metadata.ResourceVersion is { } rv)
        {
            return ApiStatus.BadRequest($"metadata.resourceVersion: must not be set when creating (got {rv}); it is a precondition for updates (PUT)");
        }

        if (name is not null && obj.Metadata.Name != name)
        {
            return ApiStatus.BadRequest($"metadata.name \"{obj.Metadata.Name}\" does not match the name \"{name}\" in the path");
        }

        // A write that names module blobs holds the lock from admission to the store (see RefusedModules).
        var modules = RefusedModules.Of(obj);
        using var locked = modules.Count > 0 ? await refusedModules.LockAsync(ct) : null;
        var context = new ValidationContext();
        foreach (var problem in ObjectValidator.Validate(obj))
        {
            context.Add(problem.Path, problem.Message);
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
            if (modules.Count > 0)
            {
                await refusedModules.RemoveUnreferencedAsync(modules, ct);
            }

            return ApiStatus.Invalid(new ObjectValidationException(context.Errors, $"{obj.Kind} \"{obj.Metadata.Name}\""), obj.Kind, obj.Metadata.Name);
        }

        return await StoreAsync(obj, ns, create, dryRun, http);
    }

    private async Task<IResult> StoreAsync(FornaxObject obj, string ns, bool create, bool dryRun, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (InheritedMissions.RefuseOriginAnnotation(obj) is { } annotated)
        {
            return annotated;
        }

        if (await InheritedMissions.RefuseChangeAsync(store, new ObjectKey(obj.Kind, ns, obj.Metadata.Name!), "change", ct) is { } inherited)
        {
            return inherited;
        }

        if (await DeliveredObjects.RefuseChangeAsync(store, new ObjectKey(obj.Kind, ns, obj.Metadata.Name!), "change", ct) is { } delivered)
        {
            return delivered;
        }

        var json = ObjectSerializer.ToJsonObject(obj);
        if (dryRun)
        {
            return await DryRunWriteAsync(json, create, ct);
        }

        if (create)
        {
            var created = await store.CreateAsync(json, ct);
            return Results.Json(KubeWire.Object(created.Object), WebJson.Default.JsonObject, statusCode: StatusCodes.Status201Created);
        }

        var (stored, outcome) = await store.ApplyAsync(json, ct);
        http.Response.Headers["Fornax-Apply-Outcome"] = outcome.ToString().ToLowerInvariant();
        return Results.Json(KubeWire.Object(stored.Object), WebJson.Default.JsonObject, statusCode: outcome == ApplyOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary>What a write would answer, without writing: a create of an existing object is still a conflict.</summary>
    private async Task<IResult> DryRunWriteAsync(JsonObject json, bool create, CancellationToken ct)
    {
        var key = new ObjectKey(json["kind"]!.GetValue<string>(), json["metadata"]!["namespace"]!.GetValue<string>(), json["metadata"]!["name"]!.GetValue<string>());
        var existing = await store.GetAsync(key, ct);
        if (create && existing is not null)
        {
            return ApiStatus.Failure(409, "AlreadyExists", $"{key.Kind} \"{key.Name}\" already exists");
        }

        return Results.Json(KubeWire.Object(json), WebJson.Default.JsonObject, statusCode: existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK);
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

        if (!KubeWire.TryReadVersion(body["metadata"]?["resourceVersion"], out var expected))
        {
            return ApiStatus.BadRequest($"metadata.resourceVersion: {body["metadata"]?["resourceVersion"]?.ToJsonString()} is not a resourceVersion");
        }

        var stored = await store.UpdateStatusAsync(new ObjectKey(kind.Kind, ns, name), body["status"]?.DeepClone(), expected, ct);
        return Results.Json(KubeWire.Object(stored.Object), WebJson.Default.JsonObject);
    }

    public async Task<IResult> DeleteAsync(string plural, string ns, string name, long? resourceVersion, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (!TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var key = new ObjectKey(kind.Kind, ns, name);
        if (await InheritedMissions.RefuseChangeAsync(store, key, "delete", ct) is { } inherited)
        {
            return inherited;
        }

        if (await DeliveredObjects.RefuseChangeAsync(store, key, "delete", ct) is { } delivered)
        {
            return delivered;
        }

        var (delete, optionsError) = await DeleteOptions.ReadAsync(http, resourceVersion);
        if (delete is null)
        {
            return optionsError!;
        }

        if (delete.DryRun || delete.Uid is not null)
        {
            var existing = await store.GetAsync(key, ct);
            if (existing is null)
            {
                return ApiStatus.NotFound($"{kind.Singular} \"{name}\" not found in namespace \"{ns}\"");
            }

            var uid = existing.Object["metadata"]?["uid"]?.GetValue<string>();
            if (delete.Uid is not null && delete.Uid != uid)
            {
                return ApiStatus.Failure(409, "Conflict", $"Precondition failed: UID in precondition: {delete.Uid}, UID in object meta: {uid}", kind.Singular, name);
            }

            if (delete.DryRun)
            {
                return delete.ResourceVersion is { } expected && expected != existing.ResourceVersion
                    ? ApiStatus.Failure(409, "Conflict", $"Precondition failed: resourceVersion in precondition: {expected}, in the object: {existing.ResourceVersion}", kind.Singular, name)
                    : Results.Json(KubeWire.Object(existing.Object), WebJson.Default.JsonObject);
            }

            // The uid matched this version: deleting exactly it keeps the check and the delete one step.
            delete = delete with { ResourceVersion = delete.ResourceVersion ?? existing.ResourceVersion };
        }

        var deleted = await store.DeleteAsync(key, delete.ResourceVersion, ct);
        return Results.Json(KubeWire.Object(deleted.Object), WebJson.Default.JsonObject);
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

    /// <summary>JSON by its own reader (as the Content-Type says), anything else as YAML; both bound the depth at 64.</summary>
    private static FornaxObject Parse(string text, string? mediaType)
    {
        if (mediaType is not null && mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            return ObjectSerializer.FromJson(text);
        }

        var documents = ObjectSerializer.ParseDocuments(text, validate: false);
        return documents.Count == 1
            ? documents[0]
            : throw new ObjectValidationException([new ValidationError("(body)", $"expected one object, found {documents.Count}")]);
    }

    internal static bool TryKind(string plural, out KindInfo kind, out IResult error)
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
