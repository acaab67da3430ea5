using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Fornax.Node.Api;

/// <summary>
/// <c>POST /api/join</c> (a child presents a join token and a CSR; an attaching subtree also its paths and CA),
/// <c>POST /api/attach</c>, <c>DELETE /api/children/{name}</c> (forget a child) and the token API (<see cref="TokenEndpoints"/>).
/// </summary>
internal static class TreeEndpoints
{
    public static void MapTreeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/join", JoinAsync).WithMetadata(new ListenerMetadata(Listeners.Api), BodyLimit.Join);
        app.MapPost("/api/attach", AttachEndpoint.AttachAsync).WithMetadata(new ListenerMetadata(Listeners.Api), BodyLimit.Small);
        app.MapDelete("/api/children/{name}", ForgetEndpoint.ForgetAsync).WithMetadata(new ListenerMetadata(Listeners.Api), BodyLimit.Small);
        app.MapTokenApi();
        app.MapPost("/api/uplink/{action}", (string action, LinkRunner links) => action switch
        {
            "cut" => links.CutUplink() ? Results.Json(new JsonObject { ["uplink"] = "cut" }, WebJson.Default.JsonObject) : ApiStatus.BadRequest("this site has no emulated uplink"),
            "heal" => links.HealUplink() ? Results.Json(new JsonObject { ["uplink"] = "healed" }, WebJson.Default.JsonObject) : ApiStatus.BadRequest("this site has no emulated uplink"),
            _ => ApiStatus.NotFound($"unknown uplink action \"{action}\" (cut or heal)"),
        }).WithMetadata(new ListenerMetadata(Listeners.Api), BodyLimit.Small);
    }

    private static async Task<IResult> JoinAsync(HttpRequest request, JoinTokenIssuer tokens, ISiteCertificateSigner signer, LocalSite site, LinkRunner links, SiteIdentity identity, IObjectStore store, CancellationToken ct)
    {
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(request.Body, cancellationToken: ct)) as JsonObject ?? [];
        }
        catch (System.Text.Json.JsonException e)
        {
            return ApiStatus.BadRequest($"join: the body is not JSON: {e.Message}");
        }

        var token = body["token"]?.GetValue<string>();
        var csr = body["csr"]?.GetValue<string>();
        var name = body["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(csr) || string.IsNullOrEmpty(name))
        {
            return ApiStatus.BadRequest("join: token, csr and name are required");
        }

        if (!Names.IsDnsLabel(name))
        {
            return ApiStatus.BadRequest($"join: name: \"{name}\" is not a valid site name (lowercase letters, digits and '-', at most 63 characters)");
        }

        var (subtree, subtreeError) = AttachEndpoint.ReadSubtree(body);
        if (subtreeError is not null)
        {
            return ApiStatus.BadRequest($"join: {subtreeError}");
        }

        try
        {
            TreeCertificateAuthority.CheckSigningRequest(csr);
        }
        catch (ArgumentException e)
        {
            return ApiStatus.BadRequest($"join: {e.Message}");
        }

        // Checked, not used yet: a join refused below leaves the token as it was.
        var check = await tokens.CheckJoinTokenAsync(token, ct);
        if (!check.IsOk)
        {
            return ApiStatus.Failure(401, "Unauthorized", $"join refused: {check.Message}");
        }

        var path = $"{site.Path}/{name}";
        List<string> paths = [path, .. subtree.Select(relative => $"{path}/{relative}")];
        if (AttachEndpoint.WhyRefused(identity, site, name, body["caFingerprint"]?.GetValue<string>()) is { } cycle)
        {
            return ApiStatus.Failure(409, "Conflict", $"join refused: {cycle}");
        }

        if (await TreeNames.FindCollisionAsync(store, paths, ct) is { } collision)
        {
            return ApiStatus.Failure(409, "Conflict", $"join refused: {collision}");
        }

        var redemption = await tokens.RedeemJoinTokenAsync(token, ct);
        if (!redemption.IsOk)
        {
            return ApiStatus.Failure(401, "Unauthorized", $"join refused: {redemption.Message}");
        }

        try
        {
            var signed = await signer.SignAsync(csr, name, path, paths[1..], ct);
            // A child forgotten here joins again: its new certificate is let in, the old ones stay refused.
            if (links.Downlinks.Forgotten.Find(path) is not null)
            {
                using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(signed.CertificatePem);
                links.Downlinks.Forgotten.Readmit(path, SiteCertificates.Fingerprint(certificate));
            }

            return Results.Json(new JsonObject
            {
                ["certificate"] = signed.CertificatePem,
                ["caChain"] = signed.CaChainPem,
                ["path"] = $"{site.Path}/{name}",
                ["parentPath"] = site.Path,
                ["link"] = links.Self.Link,
            }, WebJson.Default.JsonObject);
        }
        catch (ArgumentException e)
        {
            return ApiStatus.BadRequest($"join: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return ApiStatus.Failure(503, "ServiceUnavailable", $"join: {e.Message}");
        }
        catch (Grpc.Core.RpcException e)
        {
            return ApiStatus.Failure(503, "ServiceUnavailable", $"join: the way up to the root failed: {e.Status.Detail}");
        }
    }
}
