using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests;

public sealed class ObjectApiTests
{
    private const string ConfigMapYaml = """
        apiVersion: fornax.io/v1
        kind: ConfigMap
        metadata: {name: settings, labels: {app: shop}}
        data: {greeting: hello}
        """;

    [Theory]
    [InlineData("configmaps", "ConfigMap", "data: {k: v}", "data: {k: w}")]
    [InlineData("missions", "Mission", "spec: {content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: c}}]}", "spec: {content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: d}}]}")]
    [InlineData("sites", "Site", "spec: {tier: edge}", "spec: {tier: region}")]
    public async Task Api_EveryKind_RoundTripsCreateApplyGetListDelete(string plural, string kind, string body, string changed)
    {
        await using var site = await TestSite.StartAsync();
        var yaml = $"apiVersion: fornax.io/v1\nkind: {kind}\nmetadata: {{name: x1}}\n{body}\n";

        var created = await site.PutYamlAsync(plural, "x1", yaml);
        var again = await site.PutYamlAsync(plural, "x1", yaml);
        var updated = await site.PutYamlAsync(plural, "x1", yaml.Replace(body, changed, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("unchanged", again.Headers.GetValues("Fornax-Apply-Outcome").Single());
        Assert.Equal("configured", updated.Headers.GetValues("Fornax-Apply-Outcome").Single());
        var got = await site.GetAsync(plural, "x1");
        Assert.Equal(kind, got!["kind"]!.GetValue<string>());
        Assert.Equal(2, got["metadata"]!["generation"]!.GetValue<long>());
        var list = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath(plural));
        Assert.Contains(list!["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "x1");
        Assert.Equal(kind + "List", list["kind"]!.GetValue<string>());

        var deleted = await site.Http.DeleteAsync(TestSite.ObjectsPath(plural, "x1"));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Null(await site.GetAsync(plural, "x1"));
    }

    [Fact]
    public async Task Post_Existing_Returns409AlreadyExists()
    {
        await using var site = await TestSite.StartAsync();
        var content = () => new StringContent(ConfigMapYaml, Encoding.UTF8, "application/yaml");

        Assert.Equal(HttpStatusCode.Created, (await site.Http.PostAsync(TestSite.ObjectsPath("configmaps"), content())).StatusCode);
        var second = await site.Http.PostAsync(TestSite.ObjectsPath("configmaps"), content());

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("AlreadyExists", (await second.Content.ReadFromJsonAsync<JsonObject>())!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_StaleResourceVersion_Returns409AndChangesNothing()
    {
        await using var site = await TestSite.StartAsync();
        var first = await (await site.PutYamlAsync("configmaps", "settings", ConfigMapYaml)).Content.ReadFromJsonAsync<JsonObject>();
        var rv = long.Parse(first!["metadata"]!["resourceVersion"]!.ToString());
        await site.PutYamlAsync("configmaps", "settings", ConfigMapYaml.Replace("hello", "hi", StringComparison.Ordinal));

        var stale = await site.PutYamlAsync("configmaps", "settings",
            ConfigMapYaml.Replace("labels:", $"resourceVersion: {rv}, labels:", StringComparison.Ordinal).Replace("hello", "stale", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var status = await stale.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Conflict", status!["reason"]!.GetValue<string>());
        Assert.Contains("stale", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("hi", (await site.GetAsync("configmaps", "settings"))!["data"]!["greeting"]!.GetValue<string>());
    }

    [Fact]
    public async Task Put_InvalidSelector_Returns422WithEveryCause()
    {
        await using var site = await TestSite.StartAsync();

        var response = await site.PutYamlAsync("missions", "m", """
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: m}
            spec:
              placement: {selector: {matchExpressions: [{key: tier, operator: Like, values: [edge]}]}}
              content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: Bad_Name}}]
            """);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        var fields = status!["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>()).ToArray();
        Assert.Equal(["spec.placement.selector.matchExpressions[0].operator", "spec.content[0].metadata.name"], fields);
        Assert.Null(await site.GetAsync("missions", "m"));
    }

    [Theory]
    [InlineData("kind: [unclosed", "invalid YAML")]
    [InlineData("apiVersion: fornax.io/v1\nkind: Gadget\nmetadata: {name: x}", "\"Gadget\" is not a known kind")]
    [InlineData("apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: x}\ndta: {}", "dta: unknown field (did you mean \"data\"?)")]
    [InlineData("apiVersion: fornax.io/v1\nkind: Mission\nmetadata: {name: x}\nspec: {command: {command: ls}}", "the body is a Mission but the path is for configmaps")]
    public async Task Put_MalformedBody_Returns400NamingTheProblem(string yaml, string expected)
    {
        await using var site = await TestSite.StartAsync();

        var response = await site.PutYamlAsync("configmaps", "x", yaml);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>();
        Assert.Contains(expected, message, StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "x"));
    }

    [Fact]
    public async Task Put_OversizedBody_Returns413()
    {
        await using var site = await TestSite.StartAsync(o => o with { MaxRequestBodyBytes = 2048 });
        var big = ConfigMapYaml.Replace("hello", new string('x', 4096), StringComparison.Ordinal);

        var response = await site.PutYamlAsync("configmaps", "settings", big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("2048", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "settings"));
    }

    [Fact]
    public async Task Get_UnknownResource_Returns404NamingTheKnownOnes()
    {
        await using var site = await TestSite.StartAsync();

        var response = await site.Http.GetAsync(TestSite.ObjectsPath("pods"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("missions", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_OnIngressPort_IsNotServed()
    {
        await using var site = await TestSite.StartAsync();
        using var ingress = new HttpClient { BaseAddress = new Uri(site.Node.Endpoints.Ingress) };

        var response = await ingress.GetAsync(TestSite.ObjectsPath("configmaps"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Start_WritesEndpointsFile_AndRegistersItsOwnSite()
    {
        await using var site = await TestSite.StartAsync();

        var endpoints = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(site.DataDirectory, "endpoints.json")))!;
        Assert.Equal(site.Node.Endpoints.Api, endpoints["api"]!.GetValue<string>());
        var self = await site.GetAsync("sites", "solo");
        Assert.Equal("solo", self!["status"]!["path"]!.GetValue<string>());
        Assert.Equal("cloud", self["metadata"]!["labels"]!["fornax.io/tier"]!.GetValue<string>());
        Assert.Equal(site.Node.Endpoints.Api, self["status"]!["endpoints"]!["api"]!.GetValue<string>());
    }

    [Fact]
    public async Task Start_OnALockedDataDirectory_FailsNamingTheDirectory()
    {
        await using var site = await TestSite.StartAsync();

        var e = await Assert.ThrowsAnyAsync<Exception>(() => TestSite.StartAsync(dataDirectory: site.DataDirectory));

        Assert.Contains(site.DataDirectory, e.Message, StringComparison.Ordinal);
        Assert.NotNull(await site.GetAsync("sites", "solo"));
    }

    [Fact]
    public async Task Start_InvalidOptions_NamesTheField()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => TestSite.StartAsync(o => o with { Name = "Not_A_Name", ApiPort = 70000 }));

        Assert.Contains("name: \"Not_A_Name\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("apiPort: 70000 is not between 0 and 65535", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthAndMetrics_AreServed()
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("configmaps", "settings", ConfigMapYaml);

        Assert.Equal("ok", await site.Http.GetStringAsync("/healthz"));
        Assert.Equal("ok", await site.Http.GetStringAsync("/readyz"));
        var metrics = await site.Http.GetStringAsync("/metrics");
        Assert.Contains("http_server_request_duration", metrics, StringComparison.Ordinal);
    }
}
