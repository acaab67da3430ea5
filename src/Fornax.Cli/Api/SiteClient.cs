using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

namespace Fornax.Cli.Api;

/// <summary>The site REST API of <c>docs/api.md</c>, as the CLI uses it. Objects come back as JSON, as the site sent them.</summary>
public sealed class SiteClient(HttpClient http, SiteTarget target) : IDisposable
{
    public const string ApplyOutcomeHeader = "Fornax-Apply-Outcome";

    /// <summary>Bodies larger than this ask <c>Expect: 100-continue</c>: below it, one round trip more costs more than sending.</summary>
    private const long ExpectContinueBytes = 64 * 1024;

    public SiteTarget Target { get; } = target;

    public static string ObjectPath(KindInfo kind, string ns, string? name = null) =>
        $"apis/{Kinds.Group}/v1/namespaces/{Uri.EscapeDataString(ns)}/{kind.Plural}" + (name is null ? "" : "/" + Uri.EscapeDataString(name));

    public async Task<JsonObject> GetAsync(KindInfo kind, string ns, string name, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, ObjectPath(kind, ns, name)), ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw NotFound(kind, ns, name);
        }

        return await ReadObjectAsync(response, ct);
    }

    /// <summary>Lists a kind in one namespace, or in all of them when <paramref name="ns"/> is null; returns the List object.</summary>
    public async Task<JsonObject> ListAsync(KindInfo kind, string? ns, CancellationToken ct)
    {
        var path = ns is null ? $"apis/{Kinds.Group}/v1/{kind.Plural}" : ObjectPath(kind, ns);
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);
        return await ReadObjectAsync(response, ct);
    }

    /// <summary>PUT (apply): create, or update what differs. Returns created, configured or unchanged, and the stored object.</summary>
    public async Task<(string Outcome, JsonObject Object)> ApplyAsync(FornaxObject obj, CancellationToken ct)
    {
        var kind = Kinds.Get(obj.Kind);
        var request = new HttpRequestMessage(HttpMethod.Put, ObjectPath(kind, obj.Metadata.NamespaceOrDefault, obj.Metadata.Name))
        {
            Content = new StringContent(ObjectSerializer.ToJson(obj), Encoding.UTF8, "application/json"),
        };
        using var response = await SendAsync(request, ct);
        var stored = await ReadObjectAsync(response, ct);
        var outcome = response.Headers.TryGetValues(ApplyOutcomeHeader, out var values) ? values.First()
            : response.StatusCode == HttpStatusCode.Created ? "created" : "configured";
        return (outcome, stored);
    }

    /// <summary>Deletes one object; null when there was none.</summary>
    public async Task<JsonObject?> DeleteAsync(KindInfo kind, string ns, string name, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, ObjectPath(kind, ns, name)), ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : await ReadObjectAsync(response, ct);
    }

    public async Task<bool> HasBlobAsync(string digest, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Head, $"blobs/{digest}"), ct);
        return response.StatusCode != HttpStatusCode.NotFound && await EnsureSuccessAsync(response, ct);
    }

    public async Task PutBlobAsync(string digest, byte[] content, CancellationToken ct)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Put, $"blobs/{digest}") { Content = body }, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary><c>GET /api/site</c>: the site's name, path, tier and endpoints.</summary>
    public async Task<JsonObject> GetSiteAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/site"), ct);
        return await ReadObjectAsync(response, ct);
    }

    /// <summary>The site's ingress URL (<c>endpoints.ingress</c> of <c>GET /api/site</c>), where <c>/fn/{name}</c> is served.</summary>
    public async Task<string> GetIngressUrlAsync(CancellationToken ct)
    {
        var site = await GetSiteAsync(ct);
        return site["endpoints"]?["ingress"]?.GetValue<string>() is { Length: > 0 } ingress
            ? ingress
            : throw new CliException($"site {Target.DisplayUrl} does not report an ingress endpoint (GET /api/site: endpoints.ingress)");
    }

    /// <summary><c>GET /api/services</c>: every service the site's portal knows, its backends per site and the route from the site.</summary>
    public async Task<JsonObject> GetServicesAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/services"), ct);
        return await ReadObjectAsync(response, ct);
    }

    /// <summary><c>GET /api/functions/stats</c>: the site's per-function counts, by function name.</summary>
    public async Task<IReadOnlyDictionary<string, JsonObject>> GetFunctionStatsAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/functions/stats"), ct);
        var stats = await ReadObjectAsync(response, ct);
        return (stats["functions"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(f => f["name"] is JsonValue)
            .ToDictionary(f => f["name"]!.GetValue<string>(), StringComparer.Ordinal);
    }

    /// <summary>POSTs a JSON body (<c>{}</c> when null: the site takes writes only as JSON or YAML) to a site API path such as <c>api/tokens</c>; returns the JSON answer.</summary>
    public async Task<JsonObject> PostAsync(string path, JsonObject? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent((body ?? []).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        using var response = await SendAsync(request, ct);
        return await ReadObjectAsync(response, ct);
    }

    /// <summary><c>DELETE /api/children/{name}</c>: forget a direct child of the site (docs/tree.md, "Forgetting a site").</summary>
    public async Task<JsonObject> ForgetChildAsync(string name, bool force, CancellationToken ct)
    {
        var path = $"api/children/{Uri.EscapeDataString(name)}" + (force ? "?force=true" : "");
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), ct);
        return await ReadObjectAsync(response, ct);
    }

    /// <summary><c>POST /api/tokens</c>: a join token (or a user token) with an optional time to live such as <c>1h</c>.</summary>
    public Task<JsonObject> CreateTokenAsync(string? ttl, bool user, CancellationToken ct, string? description = null, string? @namespace = null)
    {
        var body = new JsonObject { ["user"] = user };
        if (@namespace is not null)
        {
            body["namespace"] = @namespace;
        }

        if (description is not null)
        {
            body["description"] = description;
        }

        if (ttl is not null)
        {
            body["ttl"] = ttl;
        }

        return PostAsync("api/tokens", body, ct);
    }

    /// <summary><c>GET /api/tokens</c>: the site's tokens (ids, kinds, lifetimes; never a secret).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListTokensAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/tokens"), ct);
        return [.. ((await ReadObjectAsync(response, ct))["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    /// <summary><c>DELETE /api/tokens/{id}</c>: revoke a token; it stops working at once.</summary>
    public async Task RevokeTokenAsync(string id, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"api/tokens/{Uri.EscapeDataString(id)}"), ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>
    /// Watches a kind in a namespace from a resource version: every change after it, then live, until cancelled.
    /// Throws <see cref="ApiException"/> with code 410 when the version is compacted (list again).
    /// </summary>
    public async IAsyncEnumerable<(string Type, JsonObject Object)> WatchAsync(
        KindInfo kind, string ns, long resourceVersion, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{ObjectPath(kind, ns)}?watch=true&resourceVersion={resourceVersion}");
        using var response = await SendAsync(request, ct, HttpCompletionOption.ResponseHeadersRead);
        await EnsureSuccessAsync(response, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var change = JsonNode.Parse(line)?.AsObject() ?? throw new CliException($"site {Target.DisplayUrl} sent an empty watch event");
            if (change["type"]?.GetValue<string>() is { } type && change["object"] is JsonObject obj)
            {
                yield return (type, obj);
            }
        }
    }

    public ApiException NotFound(KindInfo kind, string ns, string name) =>
        new(404, "NotFound", $"{kind.Singular} \"{name}\" not found{(ns == Kinds.DefaultNamespace ? "" : $" in namespace \"{ns}\"")} at site {Target.DisplayUrl}", []);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        // A large body waits for the site's go-ahead: a site that refuses it (413) says so before it is sent, instead
        // of closing the connection under a client still sending, which would read as "cannot reach site".
        if (request.Content?.Headers.ContentLength > ExpectContinueBytes)
        {
            request.Headers.ExpectContinue = true;
        }

        try
        {
            return await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException or IOException)
        {
            throw new CliException(
                $"cannot reach site {Target.DisplayUrl}: {e.InnerException!.Message}",
                ["is the site running? start one with 'fornax node run --data-dir DIR', or pick another with --site"]);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"request to site {Target.DisplayUrl} failed: {e.Message}");
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"site {Target.DisplayUrl} did not answer in time ({http.Timeout.TotalSeconds:0}s)", [e.Message]);
        }
        finally
        {
            request.Dispose();
        }
    }

    private async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await EnsureSuccessAsync(response, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException)
        {
            throw new CliException($"site {Target.DisplayUrl} sent a response that is not a JSON object ({(int)response.StatusCode} {response.Content.Headers.ContentType})");
        }
    }

    /// <summary>Turns a failed response into an <see cref="ApiException"/> from its Kubernetes Status body.</summary>
    private async Task<bool> EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        var code = (int)response.StatusCode;
        var body = response.RequestMessage?.Method == HttpMethod.Head ? "" : await response.Content.ReadAsStringAsync(ct);
        JsonObject? status = null;
        try
        {
            status = body.Length > 0 ? JsonNode.Parse(body) as JsonObject : null;
        }
        catch (JsonException)
        {
        }

        var reason = status?["reason"]?.GetValue<string>() ?? response.ReasonPhrase;
        var message = status?["message"]?.GetValue<string>() is { Length: > 0 } m ? m.Split('\n')[0] : $"{code} {reason}";
        var causes = (status?["details"]?["causes"] as JsonArray ?? [])
            .Select(c => $"{c?["field"]?.GetValue<string>()}: {c?["message"]?.GetValue<string>()}".Trim(':', ' '))
            .ToList();
        if (code == 413)
        {
            throw new ApiException(code, reason, $"site {Target.DisplayUrl} refused the request as too large ({code} {reason}): {message}",
                [.. causes, "split the file, or raise the limit the message names in the site's config"]);
        }

        throw new ApiException(code, reason, $"site {Target.DisplayUrl} refused the request ({code} {reason}): {message}", causes);
    }

    public void Dispose() => http.Dispose();
}
