using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Hierarchy.Identity;
using Fornax.Node.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Api;

/// <summary>
/// <c>POST /api/tokens</c> (issue a join or user token), <c>GET /api/tokens</c> (list them, never a secret) and
/// <c>DELETE /api/tokens/{id}</c> (revoke one).
/// </summary>
internal static class TokenEndpoints
{
    public static void MapTokenApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithMetadata(new ListenerMetadata(Listeners.Api), BodyLimit.Small);
        tokens.MapPost("", CreateAsync);
        tokens.MapGet("", ListAsync);
        tokens.MapDelete("/{id}", RevokeAsync);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, JoinTokenIssuer tokens, SiteIdentity identity, CancellationToken ct)
    {
        JsonObject body = [];
        if (request.ContentLength is not 0)
        {
            try
            {
                body = (await JsonNode.ParseAsync(request.Body, cancellationToken: ct)) as JsonObject ?? [];
            }
            catch (System.Text.Json.JsonException e)
            {
                return ApiStatus.BadRequest($"tokens: the body is not a JSON object: {e.Message}");
            }
        }

        TimeSpan? ttl = null;
        if (body["ttl"]?.GetValue<string>() is { } text)
        {
            if (!Durations.TryParse(text, out var parsed) || parsed <= TimeSpan.Zero)
            {
                return ApiStatus.BadRequest($"ttl: \"{text}\" is not a positive duration like 30m or 1h");
            }

            ttl = parsed;
        }

        var user = body["user"]?.GetValue<bool>() == true;
        var description = body["description"]?.GetValue<string>();
        var ns = body["namespace"]?.GetValue<string>();
        if (ns is not null && !user)
        {
            return ApiStatus.BadRequest($"namespace: \"{ns}\" is for user tokens (a join token lets a site join, it calls no service); add \"user\": true");
        }

        if (ns is not null && !Names.IsDnsLabel(ns))
        {
            return ApiStatus.BadRequest($"namespace: \"{ns}\" is not a namespace name (lowercase letters, digits, '-')");
        }

        var issued = user
            ? await tokens.CreateUserTokenAsync(ttl, description, ns, ct)
            : await tokens.CreateJoinTokenAsync(ttl, description, ct);
        return Results.Json(new JsonObject
        {
            ["token"] = issued.Token,
            ["id"] = issued.Id,
            ["kind"] = user ? "user" : "join",
            ["namespace"] = user ? issued.Stored.Namespace ?? "default" : null,
            ["expiresAt"] = Format(issued.ExpiresAt),
            // What a joining site can pin: the tree CA it will be chained to.
            ["caFingerprint"] = user ? null : SiteCertificates.Fingerprint(identity.TrustAnchor),
        }, WebJson.Default.JsonObject);
    }

    private static async Task<IResult> ListAsync(JoinTokenIssuer tokens, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var items = (await tokens.ListAsync(ct)).Select(t => (JsonNode)new JsonObject
        {
            ["id"] = t.Id,
            ["kind"] = t.Kind == TokenKind.User ? "user" : "join",
            ["namespace"] = t.Kind == TokenKind.User ? t.Namespace ?? "default" : null,
            ["description"] = t.Description,
            ["createdAt"] = Format(t.CreatedAt),
            ["expiresAt"] = Format(t.ExpiresAt),
            ["usedAt"] = Format(t.UsedAt),
            ["state"] = t.UsedAt is not null && t.SingleUse ? "used" : t.ExpiresAt <= now ? "expired" : "valid",
        });
        return Results.Json(new JsonObject { ["items"] = new JsonArray([.. items]) }, WebJson.Default.JsonObject);
    }

    private static async Task<IResult> RevokeAsync(string id, JoinTokenIssuer tokens, CancellationToken ct) =>
        await tokens.RevokeAsync(id, ct)
            ? Results.Json(new JsonObject { ["id"] = id, ["revoked"] = true }, WebJson.Default.JsonObject)
            : ApiStatus.NotFound($"token {id} not found: list the site's tokens with 'fornax token list'");

    private static string? Format(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture);
}
