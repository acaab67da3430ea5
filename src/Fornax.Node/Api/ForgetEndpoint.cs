using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Links;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>
/// <c>DELETE /api/children/{name}[?force=true]</c> at a parent: forget a direct child that will never come back
/// (docs/tree.md, "Forgetting a site"). 404 for a name this site does not know as a child, 400 for this site itself or a
/// deeper site (the message names the parent to ask), 409 for a child that is online unless forced; each changes nothing.
/// </summary>
internal static class ForgetEndpoint
{
    public static async Task<IResult> ForgetAsync(string name, HttpRequest request, SiteForgetting forgetting, CancellationToken ct)
    {
        bool force = false;
        if (request.Query.TryGetValue("force", out var text) && !bool.TryParse(text.ToString(), out force))
        {
            return ApiStatus.BadRequest($"forget: force: \"{text}\" is not true or false");
        }

        try
        {
            var outcome = await forgetting.ForgetAsync(name, force, ct);
            return Results.Json(new JsonObject
            {
                ["name"] = outcome.Entry.Name,
                ["path"] = outcome.Entry.Path,
                ["forgottenAt"] = outcome.Entry.ForgottenAt,
                ["linkClosed"] = outcome.LinkClosed,
                ["droppedSites"] = new JsonArray([.. outcome.DroppedSites.Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]),
            }, WebJson.Default.JsonObject);
        }
        catch (ForgetRefusedException e)
        {
            return e.Refusal switch
            {
                ForgetRefusal.NotFound => ApiStatus.Failure(404, "NotFound", $"forget: {e.Message}", "Site", name),
                ForgetRefusal.Online => ApiStatus.Failure(409, "Conflict", $"forget refused: {e.Message}", "Site", name),
                _ => ApiStatus.Failure(400, "BadRequest", $"forget refused: {e.Message}", "Site", name),
            };
        }
    }
}
