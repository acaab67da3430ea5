using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Node.Hosting;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// <c>PATCH</c> on an object: JSON merge patch, JSON patch, strategic merge patch (applied as a merge patch: no Fornax
/// list has merge keys, so the two agree; its list directives are refused) and server-side apply. The patched object
/// then goes through the same checks and write as a PUT (<see cref="ObjectApi.WriteTextAsync"/>).
/// </summary>
internal sealed class PatchApi(ObjectApi objects, IObjectStore store, NodeOptions options, TimeProvider time)
{
    public const string MergePatch = "application/merge-patch+json";
    public const string JsonPatch = "application/json-patch+json";
    public const string StrategicMergePatch = "application/strategic-merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    public static readonly string[] Types = [JsonPatch, MergePatch, StrategicMergePatch, ApplyPatch];

    public async Task<IResult> PatchAsync(string plural, string ns, string name, HttpRequest request)
    {
        if (!ObjectApi.TryKind(plural, out var kind, out var error))
        {
            return error;
        }

        var type = (request.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        if (!Types.Contains(type))
        {
            return ApiStatus.Failure(415, "UnsupportedMediaType", $"the body of a PATCH must be one of {string.Join(", ", Types)} (Content-Type: \"{request.ContentType}\")");
        }

        var ct = request.HttpContext.RequestAborted;
        var text = await RequestBodies.ReadTextAsync(request, options.MaxRequestBodyBytes, ct);
        if (text is null)
        {
            return ApiStatus.TooLarge(options.MaxRequestBodyBytes);
        }

        var current = await store.GetAsync(new ObjectKey(kind.Kind, ns, name), ct);
        if (current is not null && await InheritedMissions.RefuseChangeAsync(store, current.Key, "change", ct) is { } inherited)
        {
            return inherited;
        }

        if (type == ApplyPatch)
        {
            return await ApplyAsync(kind, ns, name, text, current?.Object, request.HttpContext);
        }

        if (current is null)
        {
            return ApiStatus.NotFound($"{kind.Plural} \"{name}\" not found in namespace \"{ns}\"");
        }

        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            return ApiStatus.BadRequest($"the patch is not valid JSON: {e.Message}");
        }

        JsonNode? patched;
        try
        {
            patched = type switch
            {
                JsonPatch => JsonPatches.Apply(current.Object, patch as JsonArray ?? throw new PatchException("a JSON patch is a list of operations")),
                StrategicMergePatch => JsonPatches.Merge(current.Object, StrategicDirectives.Strip(patch)),
                _ => JsonPatches.Merge(current.Object, patch),
            };
        }
        catch (PatchException e)
        {
            // The message as a cause too: kubectl prints an Invalid Status by its causes and drops a message without them.
            return ApiStatus.Failure(422, "Invalid", $"{kind.Kind} \"{name}\": the patch cannot be applied: {e.Message}", kind.Kind, name, [new("patch", e.Message)]);
        }

        if (patched is not JsonObject result)
        {
            return ApiStatus.Failure(422, "Invalid", $"{kind.Kind} \"{name}\": the patch does not leave an object", kind.Kind, name, [new("patch", "does not leave an object")]);
        }

        return await objects.WriteTextAsync(kind, ns, name, result.ToJsonString(), create: false, request.HttpContext);
    }

    private async Task<IResult> ApplyAsync(KindInfo kind, string ns, string name, string text, JsonObject? current, HttpContext http)
    {
        var query = http.Request.Query;
        if (query["fieldManager"].FirstOrDefault() is not { Length: > 0 } manager)
        {
            return ApiStatus.BadRequest("PATCH with application/apply-patch+yaml requires the fieldManager parameter");
        }

        JsonObject applied;
        try
        {
            var documents = YamlJson.Parse(text);
            applied = documents.Count == 1 && documents[0].Node is JsonObject o ? o
                : throw new ObjectValidationException([new ValidationError("(body)", "expected one object")]);
        }
        catch (ObjectValidationException e)
        {
            return ApiStatus.BadRequest(e.Message);
        }

        if (applied["kind"]?.ToString() != kind.Kind || applied["apiVersion"]?.ToString() != Kinds.ApiVersion)
        {
            return ApiStatus.BadRequest($"an applied configuration for {kind.Plural} needs apiVersion: {Kinds.ApiVersion} and kind: {kind.Kind}");
        }

        var (merged, conflicts) = ServerSideApply.Merge(current, applied, manager, query["force"].FirstOrDefault() is "true", time.GetUtcNow());
        if (merged is null)
        {
            return ApiStatus.Failure(409, "Conflict", ServerSideApply.Describe(conflicts), kind.Kind, name,
                conflicts.Select(c => new ValidationError(ManagedFields.Format(c.Field), $"conflict with \"{c.Manager}\"")));
        }

        return await objects.WriteTextAsync(kind, ns, name, merged.ToJsonString(), create: current is null, http);
    }
}
