using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api.Kube;

/// <summary>
/// What a DELETE asks for beyond its path. kubectl and client-go send <c>DeleteOptions</c> in the body
/// (<c>kubectl delete --dry-run=server</c> sends <c>{"dryRun":["All"]}</c> there, not in the query), so a site that read
/// only the query deleted on a dry run. Read here from both: <c>dryRun</c> and <c>preconditions</c> (resourceVersion,
/// uid) are honoured; <c>propagationPolicy</c>, <c>gracePeriodSeconds</c> and <c>orphanDependents</c> are accepted and
/// have nothing to act on (Fornax objects have no dependents and no grace period).
/// </summary>
internal sealed record DeleteOptions(bool DryRun, long? ResourceVersion, string? Uid)
{
    /// <summary>A DeleteOptions is a few hundred bytes; anything larger is not one.</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<(DeleteOptions? Options, IResult? Error)> ReadAsync(HttpContext http, long? queryResourceVersion)
    {
        var dryRun = Api.Kube.DryRun.Requested(http, out var error);
        if (error is not null)
        {
            return (null, error);
        }

        var text = await RequestBodies.ReadTextAsync(http.Request, MaxBytes, http.RequestAborted);
        if (text is null)
        {
            return (null, ApiStatus.Failure(413, "RequestEntityTooLarge", $"a DELETE body is DeleteOptions, at most {MaxBytes} bytes"));
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return (new DeleteOptions(dryRun, queryResourceVersion, null), null);
        }

        JsonObject? body;
        try
        {
            body = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject;
        }
        catch (JsonException e)
        {
            return (null, ApiStatus.BadRequest($"DeleteOptions: the body is not JSON: {e.Message}"));
        }

        if (body is null)
        {
            return (null, ApiStatus.BadRequest("DeleteOptions: the body must be a JSON object"));
        }

        return Read(body, dryRun, queryResourceVersion);
    }

    private static (DeleteOptions?, IResult?) Read(JsonObject body, bool dryRun, long? queryResourceVersion)
    {
        if (body["dryRun"] is { } values)
        {
            if (values is not JsonArray list || list.Any(v => v is not JsonValue value || !value.TryGetValue<string>(out var s) || s != "All"))
            {
                return (null, ApiStatus.BadRequest($"dryRun: {values.ToJsonString()} is not supported (only [\"All\"])"));
            }

            dryRun |= list.Count > 0;
        }

        var preconditions = body["preconditions"] as JsonObject;
        if (!KubeWire.TryReadVersion(preconditions?["resourceVersion"], out var version))
        {
            return (null, ApiStatus.BadRequest($"preconditions.resourceVersion: {preconditions!["resourceVersion"]!.ToJsonString()} is not a resource version"));
        }

        if (version is not null && queryResourceVersion is not null && version != queryResourceVersion)
        {
            return (null, ApiStatus.BadRequest($"preconditions.resourceVersion: {version} differs from the query's resourceVersion {queryResourceVersion}"));
        }

        var uid = preconditions?["uid"] is JsonValue u && u.TryGetValue<string>(out var s) ? s : null;
        return (new DeleteOptions(dryRun, version ?? queryResourceVersion, uid), null);
    }
}
