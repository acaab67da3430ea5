using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests;

/// <summary>
/// What a web page in the operator's browser could do through loopback trust, tried against a real site: a form-like
/// write, a cross-origin request, a DNS-rebound Host. Each is refused with a Status and changes nothing.
/// </summary>
public sealed class ApiRequestGuardTests
{
    private const string ConfigMapJson = """{"apiVersion":"fornax.io/v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{"k":"v"}}""";

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data")]
    public async Task PostTokens_WithAFormContentType_Is415_AndIssuesNothing(string contentType)
    {
        await using var site = await TestSite.StartAsync();

        using var response = await site.Http.PostAsync("/api/tokens", new StringContent("""{"user":true}""", Encoding.UTF8, contentType));

        var status = await AssertStatusAsync(response, 415, "UnsupportedMediaType");
        Assert.Contains("application/json", status, StringComparison.Ordinal);
        Assert.Empty(await TokensAsync(site));
    }

    [Fact]
    public async Task Writes_WithJsonYamlOrPatchTypes_PassTheGuard_BodilessDeleteToo()
    {
        await using var site = await TestSite.StartAsync();

        using var json = await site.Http.PutAsync(TestSite.ObjectsPath("configmaps", "c1"), new StringContent(ConfigMapJson, Encoding.UTF8, "application/json"));
        using var yaml = await site.Http.PutAsync(TestSite.ObjectsPath("configmaps", "c1"), new StringContent(ConfigMapJson, Encoding.UTF8, "application/x-yaml"));
        using var merge = await site.Http.PutAsync(TestSite.ObjectsPath("configmaps", "c1"), new StringContent(ConfigMapJson, Encoding.UTF8, "application/merge-patch+json"));
        using var delete = await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps", "c1"));

        Assert.Equal(HttpStatusCode.Created, json.StatusCode);
        Assert.Equal(HttpStatusCode.OK, yaml.StatusCode);
        Assert.Equal(HttpStatusCode.OK, merge.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
    }

    [Fact]
    public async Task PutObject_AsPlainText_Is415_AndStoresNothing()
    {
        await using var site = await TestSite.StartAsync();

        using var response = await site.Http.PutAsync(TestSite.ObjectsPath("configmaps", "c1"), new StringContent(ConfigMapJson, Encoding.UTF8, "text/plain"));

        await AssertStatusAsync(response, 415, "UnsupportedMediaType");
        Assert.Null(await site.GetAsync("configmaps", "c1"));
    }

    [Fact]
    public async Task BodilessPost_WithoutContentType_Is415()
    {
        await using var site = await TestSite.StartAsync();

        using var response = await site.Http.PostAsync("/api/tokens", content: null);

        await AssertStatusAsync(response, 415, "UnsupportedMediaType");
        Assert.Empty(await TokensAsync(site));
    }

    [Fact]
    public async Task BlobPut_NeedsOctetStream()
    {
        await using var site = await TestSite.StartAsync();
        var module = "not a module"u8.ToArray();
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(module));

        using var asJson = await site.Http.PutAsync($"/blobs/{digest}", new ByteArrayContent(module) { Headers = { ContentType = new("application/json") } });
        using var asBlob = await site.Http.PutAsync($"/blobs/{digest}", new ByteArrayContent(module) { Headers = { ContentType = new("application/octet-stream") } });

        Assert.Contains("application/octet-stream", await AssertStatusAsync(asJson, 415, "UnsupportedMediaType"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, asBlob.StatusCode);
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("null")]
    [InlineData("http://127.0.0.1:1")]
    public async Task Request_FromAnotherOrigin_Is403_AndChangesNothing(string origin)
    {
        await using var site = await TestSite.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, TestSite.ObjectsPath("configmaps"))
        {
            Content = new StringContent(ConfigMapJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", origin);

        using var response = await site.Http.SendAsync(request);

        Assert.Contains(origin, await AssertStatusAsync(response, 403, "Forbidden"), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "c1"));
    }

    [Fact]
    public async Task Request_FromTheSitesOwnOrigin_IsServed()
    {
        await using var site = await TestSite.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, TestSite.ObjectsPath("configmaps"))
        {
            Content = new StringContent(ConfigMapJson, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", site.Node.Endpoints.Api.TrimEnd('/'));

        using var response = await site.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("evil.example", 403)]
    [InlineData("rebind.attacker.test:7100", 403)]
    [InlineData("localhost", 200)]
    [InlineData("127.0.0.1", 200)]
    [InlineData("[::1]", 200)]
    [InlineData("10.1.2.3", 200)]
    public async Task LoopbackTrust_NeedsTheSiteAddressedByALoopbackNameOrAnAddress(string host, int expected)
    {
        await using var site = await TestSite.StartAsync();
        var port = new Uri(site.Node.Endpoints.Api).Port;
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/site");
        request.Headers.Host = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? host : $"{host}:{port}";

        using var response = await site.Http.SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
        if (expected == 403)
        {
            Assert.Contains("DNS rebinding", await AssertStatusAsync(response, 403, "Forbidden"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnotherHost_WithAUserToken_IsServed_AndJoinIsOpenUnderAnyName()
    {
        await using var site = await TestSite.StartAsync();
        using var issued = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true });
        var token = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/site");
        request.Headers.Host = "fornax.example.com";
        request.Headers.Authorization = new("Bearer", token);
        using var join = new HttpRequestMessage(HttpMethod.Post, "/api/join") { Content = JsonContent.Create(new JsonObject()) };
        join.Headers.Host = "fornax.example.com";

        using var served = await site.Http.SendAsync(request);
        using var joinAnswer = await site.Http.SendAsync(join);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, joinAnswer.StatusCode); // refused for its body, not its Host
    }

    [Fact]
    public async Task Ingress_ServesAnyOriginAndHost()
    {
        await using var site = await TestSite.StartAsync();
        using var ingress = site.Ingress();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        request.Headers.Host = "shop.example.com";
        request.Headers.Add("Origin", "http://evil.example");

        using var response = await ingress.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ObjectBody_OverMaxRequestBodyBytes_Is413NamingTheLimit()
    {
        await using var site = await TestSite.StartAsync(o => o with { MaxRequestBodyBytes = 4096 });
        using var request = new HttpRequestMessage(HttpMethod.Post, TestSite.ObjectsPath("configmaps"))
        {
            Content = new StringContent(ConfigMapJson.Replace("\"v\"", $"\"{new string('v', 5000)}\"", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;

        using var response = await site.Http.SendAsync(request);

        Assert.Contains("the limit here is 4096 bytes (maxRequestBodyBytes)", await AssertStatusAsync(response, 413, "RequestEntityTooLarge"), StringComparison.Ordinal);
    }

    internal static async Task<string> AssertStatusAsync(HttpResponseMessage response, int code, string reason)
    {
        Assert.Equal(code, (int)response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Status", status!["kind"]!.GetValue<string>());
        Assert.Equal(code, status["code"]!.GetValue<int>());
        Assert.Equal(reason, status["reason"]!.GetValue<string>());
        return status["message"]!.GetValue<string>();
    }

    internal static async Task<JsonArray> TokensAsync(TestSite site) =>
        (await site.Http.GetFromJsonAsync<JsonObject>("/api/tokens"))!["items"]!.AsArray();
}
