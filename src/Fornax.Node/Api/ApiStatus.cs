using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>Kubernetes-style <c>Status</c> bodies: every error names what is wrong and why.</summary>
public static class ApiStatus
{
    public static IResult Failure(int code, string reason, string message, string? kind = null, string? name = null, IEnumerable<ValidationError>? causes = null)
    {
        var details = new JsonObject();
        if (kind is not null)
        {
            details["kind"] = kind;
        }

        if (name is not null)
        {
            details["name"] = name;
        }

        if (causes is not null)
        {
            details["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Path, ["message"] = c.Message }).ToArray());
        }

        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Status",
            ["status"] = "Failure",
            ["code"] = code,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (details.Count > 0)
        {
            body["details"] = details;
        }

        return Results.Json(body, WebJson.Default.JsonObject, statusCode: code);
    }

    public static IResult BadRequest(string message) => Failure(400, "BadRequest", message);

    public static IResult NotFound(string message) => Failure(404, "NotFound", message);

    public static IResult Invalid(ObjectValidationException e, string? kind, string? name) =>
        Failure(422, "Invalid", e.Message, kind, name, e.Errors);

    public static IResult TooLarge(long limit) =>
        Failure(413, "RequestEntityTooLarge", ApiRequestGuard.TooLargeMessage(null, new BodyLimit(limit, "maxRequestBodyBytes")));
}
