using System.Text.Json.Nodes;
using Fornax.Hierarchy.Links;

namespace Fornax.Hierarchy.Identity;

/// <summary>
/// The attaching site's side of an attachment: a root site with a subtree of its own asks a parent of another tree
/// for a certificate (join token, CSR, and what the parent needs to refuse a cycle or a name collision), then stages
/// the move. The running identity changes only when the node restarts on the staged one.
/// </summary>
public static class AttachClient
{
    /// <summary>Why <paramref name="identity"/>'s site cannot be attached now; null when it can.</summary>
    public static string? WhyNot(SiteIdentity identity, PkiOptions pki)
    {
        if (identity.Move is { } move)
        {
            var waiting = move.PendingChildren.Count > 0 ? $"waiting for {string.Join(", ", move.PendingChildren)}" : "waiting for its parent link";
            return $"{identity.SiteName} is still moving into its new tree ({move.From} -> {move.To}, {waiting}); attach it again once that move is complete";
        }

        if (ParentInfo.TryLoad(pki.DataDirectory) is not null || !TreeCertificateAuthority.Exists(pki))
        {
            return $"{identity.SiteName} is already in a tree under a parent (its path is {identity.SitePath}); only a root site, one that holds its own tree CA, can be attached";
        }

        return null;
    }

    /// <summary>
    /// Asks the parent at <paramref name="parentApi"/> (its <c>POST /api/join</c>) for a certificate and stages the
    /// move; returns it. <paramref name="subtree"/> holds the paths of every site below this one that it knows of.
    /// </summary>
    /// <exception cref="JoinRefusedException">The parent refused (token, cycle, name); nothing changed here.</exception>
    /// <exception cref="ParentUnreachableException">The parent cannot be reached; nothing changed here.</exception>
    public static async Task<SiteMove> AttachAsync(string parentApi, string token, SiteIdentity identity, IReadOnlyList<string> subtree, PkiOptions pki, CancellationToken ct)
    {
        var relative = new JsonArray([.. subtree.Select(p => (JsonNode)p[(identity.SitePath.Length + 1)..])]);
        using var request = SiteSigningRequest.Create(identity.SiteName);
        var reply = await JoinClient.PostJoinAsync(parentApi, new JsonObject
        {
            ["token"] = token,
            ["csr"] = request.Pem,
            ["name"] = identity.SiteName,
            ["subtree"] = relative,
            // The parent refuses when it trusts this very CA: it would be in this site's own tree (a cycle).
            ["caFingerprint"] = SiteCertificates.Fingerprint(identity.TrustAnchor),
        }, ct);
        var newPath = reply["path"]!.GetValue<string>();
        var move = new SiteMove(identity.SitePath, newPath, SubtreeSites.DirectChildren(subtree, identity.SitePath));
        SiteIdentity.StageMove(pki, request, JoinClient.SignedOf(reply), newPath, move, JoinClient.ParentOf(reply, parentApi));
        return move;
    }
}
