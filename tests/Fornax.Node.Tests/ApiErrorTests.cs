using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Identity;
using static Fornax.Node.Tests.ApiRequestGuardTests;

namespace Fornax.Node.Tests;

/// <summary>Every error of the API carries a Status, and the smaller ways a request could change what it should not.</summary>
public sealed class ApiErrorTests
{
    private const string ConfigMapYaml = "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {greeting: hello}\n";

    [Fact]
    public async Task Tokens_OnAFullDisk_Are507WithAStatus()
    {
        await using var site = await TestSite.StartAsync(o => o with { TokenStore = new FailingTokenStore(FailingTokenStore.Enospc, "No space left on device") });

        using var response = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true });

        Assert.Contains("disk is full", await AssertStatusAsync(response, 507, "InsufficientStorage"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_WhenTheStoreFailsOtherwise_Are500WithAStatus()
    {
        await using var site = await TestSite.StartAsync(o => o with { TokenStore = new FailingTokenStore(FailingTokenStore.Eio, "Input/output error") });

        using var response = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject());

        Assert.Contains("Input/output error", await AssertStatusAsync(response, 500, "InternalError"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPathAndUnreadableParameter_AnswerWithAStatus()
    {
        await using var site = await TestSite.StartAsync();

        using var unknown = await site.Http.GetAsync("/api/nothing-here");
        using var badPrecondition = await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps", "settings") + "?resourceVersion=abc");

        Assert.Contains("/api/nothing-here", await AssertStatusAsync(unknown, 404, "NotFound"), StringComparison.Ordinal);
        Assert.Contains("resourceVersion=abc", await AssertStatusAsync(badPrecondition, 400, "BadRequest"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_WithTheResourceVersionOfADeletedObject_Is409_AndDoesNotBringItBack()
    {
        await using var site = await TestSite.StartAsync();
        var created = await (await site.PutYamlAsync("configmaps", "settings", ConfigMapYaml)).Content.ReadFromJsonAsync<JsonObject>();
        var rv = long.Parse(created!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        (await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps", "settings"))).EnsureSuccessStatusCode();

        using var stale = await site.PutYamlAsync("configmaps", "settings", ConfigMapYaml.Replace("{name: settings}", $"{{name: settings, resourceVersion: {rv}}}", StringComparison.Ordinal));

        Assert.Contains("no longer exists", await AssertStatusAsync(stale, 409, "Conflict"), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "settings"));
    }

    [Fact]
    public async Task Post_WithAResourceVersion_Is400_AndCreatesNothing()
    {
        await using var site = await TestSite.StartAsync();

        using var response = await site.Http.PostAsync(TestSite.ObjectsPath("configmaps"),
            new StringContent(ConfigMapYaml.Replace("{name: settings}", "{name: settings, resourceVersion: 7}", StringComparison.Ordinal), Encoding.UTF8, "application/yaml"));

        Assert.Contains("metadata.resourceVersion", await AssertStatusAsync(response, 400, "BadRequest"), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "settings"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("-1")]
    [InlineData("+3")]
    public async Task Watch_FromAMalformedResourceVersion_Is400(string rv)
    {
        await using var site = await TestSite.StartAsync();

        using var response = await site.Http.GetAsync(TestSite.ObjectsPath("configmaps") + $"?watch=true&resourceVersion={Uri.EscapeDataString(rv)}", HttpCompletionOption.ResponseHeadersRead);

        Assert.Contains($"\"{rv}\" is not a resource version", await AssertStatusAsync(response, 400, "BadRequest"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Join_WithAMalformedCsr_Is400_AndTheTokenStaysUnused()
    {
        await using var site = await TestSite.StartAsync();
        using var issued = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject());
        var token = (await issued.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();

        using var response = await site.Http.PostAsJsonAsync("/api/join", new JsonObject { ["token"] = token, ["name"] = "child", ["csr"] = "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgY3Ny\n-----END CERTIFICATE REQUEST-----" });

        Assert.Contains("csr:", await AssertStatusAsync(response, 400, "BadRequest"), StringComparison.Ordinal);
        Assert.Equal("valid", (await TokensAsync(site)).Single()!["state"]!.GetValue<string>());
        await JoinBodyLimitTests.AssertJoinsAsync(site, token);
    }

    [Fact]
    public async Task Put_NameOf64Characters_Is422Saying63()
    {
        await using var site = await TestSite.StartAsync();
        var name = new string('n', 64);

        using var response = await site.PutYamlAsync("configmaps", name, ConfigMapYaml.Replace("settings", name, StringComparison.Ordinal));

        Assert.Contains("at most 63", await AssertStatusAsync(response, 422, "Invalid"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_ListShowsNoSecret_AndRevokeRemovesOne()
    {
        await using var site = await TestSite.StartAsync();
        using var join = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["description"] = "shop-1" });
        using var user = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true });
        var userToken = (await user.Content.ReadFromJsonAsync<JsonObject>())!;
        var joinToken = (await join.Content.ReadFromJsonAsync<JsonObject>())!;

        using var listed = await site.Http.GetAsync("/api/tokens");
        var text = await listed.Content.ReadAsStringAsync();
        using var revoked = await site.Http.DeleteAsync($"/api/tokens/{userToken["id"]}");
        using var again = await site.Http.DeleteAsync($"/api/tokens/{userToken["id"]}");

        foreach (var secret in new[] { userToken, joinToken }.Select(t => t["token"]!.GetValue<string>().Split('.')[1]))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("sha256", text, StringComparison.Ordinal);
        var items = JsonNode.Parse(text)!["items"]!.AsArray();
        Assert.Equal(["join", "user"], items.Select(i => i!["kind"]!.GetValue<string>()).Order());
        Assert.Equal("shop-1", items.Single(i => i!["kind"]!.GetValue<string>() == "join")!["description"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        await AssertStatusAsync(again, 404, "NotFound");
        Assert.Equal(joinToken["id"]!.GetValue<string>(), (await TokensAsync(site)).Single()!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task UserToken_ByDefault_ExpiresIn30Days()
    {
        var start = DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await using var site = await TestSite.StartAsync(o => o with { TimeProvider = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(start) });

        using var user = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true });

        var expires = DateTimeOffset.Parse((await user.Content.ReadFromJsonAsync<JsonObject>())!["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(start + JoinTokenIssuer.DefaultUserTokenTtl, expires);
    }

    [Fact]
    public async Task RefusedFunction_ItsUploadedModuleIsRemoved_ButAModuleInUseStays()
    {
        await using var site = await TestSite.StartAsync();
        var used = await site.DeployAsync("hello", "hello/hello.wasm");
        var broken = await site.UploadAsync("\0asm not really"u8.ToArray());

        using var refused = await site.PutYamlAsync("functions", "broken", FunctionSite.FunctionYaml("broken", broken));
        using var refusedReusingAModule = await site.PutYamlAsync("functions", "hello2", FunctionSite.FunctionYaml("hello2", used, "  limits: {memoryMiB: 0}\n"));

        await AssertStatusAsync(refused, 422, "Invalid");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refusedReusingAModule.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await site.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/blobs/{broken}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await site.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/blobs/{used}"))).StatusCode);
    }
}
