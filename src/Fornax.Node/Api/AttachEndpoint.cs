using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Identity;
using Fornax.Hierarchy.Links;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Api;

/// <summary>
/// <c>POST /api/attach {parent, token}</c> at a running root site: attach it, with its whole subtree, under a parent of
/// another tree (docs/tree.md, "Attaching a subtree"); and the checks the parent's <c>/api/join</c> makes of an attachment.
/// </summary>
internal static class AttachEndpoint
{
    public static async Task<IResult> AttachAsync(HttpRequest request, SiteIdentity identity, NodeOptions options, IObjectStore store, LinkRunner links, SiteNodeHolder holder, CancellationToken ct)
    {
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(request.Body, cancellationToken: ct)) as JsonObject ?? [];
        }
        catch (System.Text.Json.JsonException e)
        {
            return ApiStatus.BadRequest($"attach: the body is not JSON: {e.Message}");
        }

        var parent = body["parent"]?.GetValue<string>();
        var token = body["token"]?.GetValue<string>();
        if (parent is null || !Uri.TryCreate(parent, UriKind.Absolute, out var parentUri) || parentUri.Scheme is not ("http" or "https"))
        {
            return ApiStatus.BadRequest($"attach: parent: \"{parent}\" is not the http:// or https:// URL of the new parent's API");
        }

        if (string.IsNullOrEmpty(token))
        {
            return ApiStatus.BadRequest("attach: token: required (create one with `fornax token create` at the new parent)");
        }

        var pki = new PkiOptions { DataDirectory = options.DataDirectory, TimeProvider = options.TimeProvider };
        // One attachment at a time: a second one would race the first for the staged identity.
        if (!await holder.Attaching.WaitAsync(TimeSpan.Zero, ct))
        {
            return ApiStatus.Failure(409, "Conflict", $"attach: {identity.SiteName} is being attached already");
        }

        try
        {
            if (AttachClient.WhyNot(identity, pki) is { } why)
            {
                return ApiStatus.Failure(409, "Conflict", $"attach refused: {why}");
            }

            // Every site below this one: from the Site objects (kept across restarts) and from live heartbeats.
            var known = await SubtreeSites.PathsUnderAsync(store, identity.SitePath, ct);
            var live = links.Downlinks.Children.SelectMany(c => c.Subtree.Select(s => s.Path));
            List<string> subtree = [.. known.Concat(live).Where(p => p.StartsWith(identity.SitePath + "/", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            SiteMove move;
            try
            {
                move = await AttachClient.AttachAsync(parent, token, identity, subtree, pki, ct);
            }
            catch (JoinRefusedException e)
            {
                return ApiStatus.Failure(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 502, e.StatusCode is >= 400 and < 500 ? "Refused" : "BadGateway", $"attach: {e.Message}");
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                return ApiStatus.Failure(502, "BadGateway", $"attach: {e.Message}");
            }

            // Switch to the staged identity: the site restarts in place, on the same ports.
            holder.Node!.RequestReload();
            return Results.Json(new JsonObject
            {
                ["from"] = move.From,
                ["path"] = move.To,
                ["parent"] = parent,
                ["pendingChildren"] = new JsonArray([.. move.PendingChildren.Select(c => (JsonNode)c)]),
            }, WebJson.Default.JsonObject, statusCode: 202);
        }
        finally
        {
            holder.Attaching.Release();
        }
    }

    /// <summary>The relative paths of an attaching subtree (<c>subtree</c> of a join body), or why they are not acceptable.</summary>
    public static (List<string> Subtree, string? Error) ReadSubtree(JsonObject body)
    {
        List<string> subtree = [];
        if (body["subtree"] is not JsonArray list)
        {
            return (subtree, body["subtree"] is null ? null : "subtree: expected an array of site paths");
        }

        for (var i = 0; i < list.Count; i++)
        {
            var path = list[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (!SiteCertificates.IsValidSitePath(path))
            {
                return (subtree, $"subtree[{i}]: \"{path}\" is not a site path below the joining site, like east-1 or east-1/shop-2");
            }

            subtree.Add(path!);
        }

        return (subtree, null);
    }

    /// <summary>A cycle: the attaching tree's CA is one this site trusts, so this site is in that very tree (the attaching site or below it).</summary>
    public static string? WhyRefused(SiteIdentity identity, LocalSite site, string name, string? caFingerprint)
    {
        if (string.IsNullOrWhiteSpace(caFingerprint))
        {
            return null;
        }

        var ownTree = new[] { identity.TrustAnchor, identity.PreviousTrustAnchor }.OfType<X509Certificate2>()
            .Any(anchor => string.Equals(SiteCertificates.Fingerprint(anchor), caFingerprint.Trim(), StringComparison.OrdinalIgnoreCase));
        return ownTree
            ? $"{site.Name} (path {site.Path}) is in {name}'s own tree (it trusts the same CA, {caFingerprint}); attaching {name} under itself or its own descendant would make a cycle"
            : null;
    }
}
