using System.Net.Http.Json;
using System.Text.Json.Nodes;
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

        var doc = JsonNode.Parse(File.ReadAllText(file))!;
        return new ParentInfo(doc["path"]!.GetValue<string>(), doc["link"]!.GetValue<string>(), doc["api"]!.GetValue<string>());
    }

    public void Save(string dataDirectory)
    {
        var file = FileOf(dataDirectory);
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
        using var http = new HttpClient { BaseAddress = new Uri(parentApi), Timeout = TimeSpan.FromSeconds(60) };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync("/api/join", new JsonObject { ["token"] = token, ["csr"] = request.Pem, ["name"] = name }, ct);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"join: the parent at {parentApi} cannot be reached: {e.Message}", e);
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            var message = TryMessage(body) ?? body;
            throw new InvalidOperationException($"join refused by {parentApi} ({(int)response.StatusCode}): {message}");
        }

        var reply = JsonNode.Parse(body)!;
        var signed = new SignedSiteCertificate(reply["certificate"]!.GetValue<string>(), reply["caChain"]!.GetValue<string>());
        var identity = SiteIdentity.Complete(pki, request, signed);
        var parent = new ParentInfo(reply["parentPath"]!.GetValue<string>(), reply["link"]!.GetValue<string>(), parentApi);
        parent.Save(pki.DataDirectory);
        return (identity, parent);
    }

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

/// <summary>Signs with the tree CA (the root).</summary>
public sealed class CaSigner(TreeCertificateAuthority ca) : ISiteCertificateSigner
{
    public Task<SignedSiteCertificate> SignAsync(string csrPem, string name, string path, CancellationToken ct) =>
        Task.FromResult(ca.SignSiteCertificate(csrPem, name, path));
}

/// <summary>Forwards the CSR up the uplink (every site but the root).</summary>
public sealed class UplinkSigner(Uplink uplink) : ISiteCertificateSigner
{
    public Task<SignedSiteCertificate> SignAsync(string csrPem, string name, string path, CancellationToken ct) =>
        uplink.SignAsync(csrPem, name, path, ct);
}
