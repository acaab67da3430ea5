using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Links;

namespace Fornax.Hierarchy.Identity;

/// <summary>What a joined site remembers about its parent (<c>links/parent.json</c>), so it can reconnect without the parent's API.</summary>
public sealed record ParentInfo(string Path, string Link, string Api)
{
    public static string FileOf(string dataDirectory) => System.IO.Path.Combine(dataDirectory, "links", "parent.json");

    public static ParentInfo? TryLoad(string dataDirectory)
    {
        var file = FileOf(dataDirectory);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var doc = JsonNode.Parse(File.ReadAllText(file))!;
            return new ParentInfo(doc["path"]!.GetValue<string>(), doc["link"]!.GetValue<string>(), doc["api"]!.GetValue<string>());
        }
        catch (Exception e) when (ResumeFile.IsTorn(e))
        {
            // Where the parent is cannot be derived from anything else here: stop, and say how to get out.
            throw new SiteDataException(file,
                $"{file} is unreadable ({e.Message}): it says where this site's parent is and cannot be rebuilt here; "
                + "restore it from a backup ({\"path\": PARENT-PATH, \"link\": PARENT-LINK-URL, \"api\": PARENT-API-URL}), "
                + $"or delete {dataDirectory} and join the parent again with a new token", e);
        }
    }

    public void Save(string dataDirectory) => SaveTo(FileOf(dataDirectory));

    internal void SaveTo(string file)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        PkiFiles.WriteAtomically(file, new JsonObject { ["path"] = Path, ["link"] = Link, ["api"] = Api }.ToJsonString(), secret: false);
    }
}

/// <summary>The child's side of <c>POST /api/join</c>: a CSR and a one-time token in, a site certificate out.</summary>
public static class JoinClient
{
    public static async Task<(SiteIdentity Identity, ParentInfo Parent)> JoinAsync(string parentApi, string token, string name, PkiOptions pki, CancellationToken ct)
    {
        using var request = SiteSigningRequest.Create(name);
        var reply = await PostJoinAsync(parentApi, new JsonObject { ["token"] = token, ["csr"] = request.Pem, ["name"] = name }, ct);
        var identity = SiteIdentity.Complete(pki, request, SignedOf(reply));
        var parent = ParentOf(reply, parentApi);
        parent.Save(pki.DataDirectory);
        return (identity, parent);
    }

    /// <summary><c>POST /api/join</c> at the parent; the answer's JSON, or <see cref="JoinRefusedException"/> with the parent's reason.</summary>
    internal static async Task<JsonNode> PostJoinAsync(string parentApi, JsonObject body, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(parentApi), Timeout = TimeSpan.FromSeconds(60) };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync("/api/join", body, WebJson.Default.JsonObject, ct);
        }
        catch (HttpRequestException e)
        {
            throw new ParentUnreachableException($"join: the parent at {parentApi} cannot be reached: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new ParentUnreachableException($"join: the parent at {parentApi} did not answer within {http.Timeout.TotalSeconds:0} s", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                var message = TryMessage(text) ?? text;
                throw new JoinRefusedException((int)response.StatusCode, $"join refused by {parentApi} ({(int)response.StatusCode}): {message}");
            }

            return JsonNode.Parse(text)!;
        }
    }

    internal static SignedSiteCertificate SignedOf(JsonNode reply) =>
        new(reply["certificate"]!.GetValue<string>(), reply["caChain"]!.GetValue<string>());

    internal static ParentInfo ParentOf(JsonNode reply, string parentApi) =>
        new(reply["parentPath"]!.GetValue<string>(), reply["link"]!.GetValue<string>(), parentApi);

    private static string? TryMessage(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["message"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// A file of the data directory that the site cannot start without is unreadable (empty, truncated, garbage). The
/// message is one line that names <see cref="File"/> and the way out.
/// </summary>
public sealed class SiteDataException(string file, string message, Exception inner) : IOException(message, inner)
{
    public string File { get; } = file;
}

/// <summary>
/// <c>POST /api/join</c> got no answer (refused, unresolvable, TLS failure, timeout). Nothing changed on either side: the
/// token is not used up, so the same command can be run again once the parent is up.
/// </summary>
public sealed class ParentUnreachableException(string message, Exception inner) : InvalidOperationException(message, inner);

/// <summary>The parent answered <c>POST /api/join</c> with an error: <see cref="StatusCode"/> is its HTTP status.</summary>
public sealed class JoinRefusedException(int statusCode, string message) : InvalidOperationException(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// Signs with the tree CA (the root). With the root's store, it first refuses a site name already used elsewhere in
/// the tree (<see cref="TreeNames"/>): the root is the one site that sees every name.
/// </summary>
public sealed class CaSigner(TreeCertificateAuthority ca, Fornax.Store.IObjectStore? store = null) : ISiteCertificateSigner
{
    public async Task<SignedSiteCertificate> SignAsync(string csrPem, string name, string path, IReadOnlyList<string> subtree, CancellationToken ct)
    {
        if (store is not null && await TreeNames.FindCollisionAsync(store, [path, .. subtree], ct) is { } collision)
        {
            throw new ArgumentException(collision);
        }

        return ca.SignSiteCertificate(csrPem, name, path);
    }
}

/// <summary>Forwards the CSR up the uplink (every site but the root).</summary>
public sealed class UplinkSigner(Uplink uplink) : ISiteCertificateSigner
{
    public Task<SignedSiteCertificate> SignAsync(string csrPem, string name, string path, IReadOnlyList<string> subtree, CancellationToken ct) =>
        uplink.SignAsync(csrPem, name, path, subtree, ct);
}
