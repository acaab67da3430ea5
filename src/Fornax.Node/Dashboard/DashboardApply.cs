using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Node.Api;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Dashboard;

/// <summary>
/// <c>POST /api/dashboard/apply</c>: the YAML (or JSON) an operator pasted, one or more documents, applied as
/// <c>fornax apply -f</c> does. Every document is parsed and validated first, so one invalid document applies nothing
/// and the 422 names each field (<c>details.causes</c>); then each object goes through the same checks and store
/// write as <c>PUT …/{name}</c>. The page cannot do this split itself without a YAML parser of its own.
/// </summary>
internal sealed class DashboardApply(ObjectApi objects, NodeOptions options)
{
    public async Task<IResult> ApplyAsync(HttpRequest request)
    {
        var text = await RequestBodies.ReadTextAsync(request, options.MaxRequestBodyBytes, request.HttpContext.RequestAborted);
        if (text is null)
        {
            return ApiStatus.TooLarge(options.MaxRequestBodyBytes);
        }

        IReadOnlyList<FornaxObject> documents;
        try
        {
            documents = ObjectSerializer.ParseDocuments(text, validate: true);
        }
        catch (ObjectValidationException e)
        {
            return ApiStatus.Invalid(e, null, null);
        }

        if (documents.Count == 0)
        {
            return ApiStatus.BadRequest("nothing to apply: the text holds no object");
        }

        if (documents.FirstOrDefault(d => !Kinds.Get(d.Kind).Stored) is { } notStored)
        {
            return ApiStatus.BadRequest($"{notStored.Kind} \"{notStored.Metadata.Name}\" is a file format for 'fornax up -f', not an object to apply; nothing was applied");
        }

        var applied = new JsonArray();
        foreach (var obj in documents)
        {
            var ns = obj.Metadata.Namespace ?? Kinds.DefaultNamespace;
            var result = await objects.WriteObjectAsync(obj, Kinds.Get(obj.Kind), ns, obj.Metadata.Name, request.HttpContext, create: false);
            if (result is IStatusCodeHttpResult { StatusCode: >= 400 })
            {
                // Earlier documents stay applied, as with 'fornax apply'; the page lists them beside the refusal.
                request.HttpContext.Response.Headers["Fornax-Applied"] = string.Join(",", applied.Select(a => $"{a!["kind"]}/{a["name"]}"));
                return result;
            }

            applied.Add((JsonNode)new JsonObject
            {
                ["kind"] = obj.Kind,
                ["namespace"] = ns,
                ["name"] = obj.Metadata.Name,
                ["outcome"] = request.HttpContext.Response.Headers["Fornax-Apply-Outcome"].ToString(),
            });
        }

        request.HttpContext.Response.Headers.Remove("Fornax-Apply-Outcome");
        return Results.Json(new JsonObject { ["applied"] = applied }, WebJson.Default.JsonObject);
    }
}
