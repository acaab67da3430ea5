using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests.Kubectl;

/// <summary>
/// Discovery over HTTP in both formats: kubectl 1.30+ asks for the aggregated one first (covered by
/// <see cref="KubectlTests"/>), older clients and client-go's fallback read the original one, which kubectl never asks
/// for here. Both must list the same kinds with the same short names and category.
/// </summary>
public sealed class KubeDiscoveryTests
{
    private static readonly string[] Plurals = ["configmaps", "functions", "keyspaces", "missions", "services", "sites"];

    [Fact]
    public async Task OriginalDiscovery_ListsEveryKindWithVerbsShortNamesAndCategory_AsTheAggregatedOneDoes()
    {
        await using var site = await TestSite.StartAsync();

        var version = await site.Http.GetFromJsonAsync<JsonObject>("/version");
        var groups = await site.Http.GetFromJsonAsync<JsonObject>("/apis");
        var resources = await site.Http.GetFromJsonAsync<JsonObject>("/apis/fornax.io/v1");
        var core = await site.Http.GetFromJsonAsync<JsonObject>("/api/v1");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;q=0.9"));
        using var aggregatedResponse = await site.Http.SendAsync(request);
        var aggregated = JsonNode.Parse(await aggregatedResponse.Content.ReadAsStringAsync())!;

        Assert.Equal("1", version!["major"]!.GetValue<string>());
        Assert.Equal("APIGroupList", groups!["kind"]!.GetValue<string>());
        Assert.Equal("fornax.io/v1", groups["groups"]![0]!["preferredVersion"]!["groupVersion"]!.GetValue<string>());
        Assert.Equal(["namespaces"], core!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        var listed = resources!["resources"]!.AsArray().Where(r => !r!["name"]!.GetValue<string>().Contains('/')).ToDictionary(r => r!["name"]!.GetValue<string>());
        Assert.Equal(Plurals, listed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["ms"], listed["missions"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["ks"], listed["keyspaces"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["svc"], listed["services"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.All(listed.Values, r => Assert.Equal(["fornax"], r!["categories"]!.AsArray().Select(c => c!.GetValue<string>())));
        Assert.All(listed.Values, r => Assert.Contains("watch", r!["verbs"]!.AsArray().Select(v => v!.GetValue<string>())));
        Assert.Contains("missions/status", resources["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        Assert.Equal("APIGroupDiscoveryList", aggregated["kind"]!.GetValue<string>());
        var aggregatedPlurals = aggregated["items"]![0]!["versions"]![0]!["resources"]!.AsArray().Select(r => r!["resource"]!.GetValue<string>());
        Assert.Equal(Plurals, aggregatedPlurals.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Namespaces_AreTheOnesTheSitesObjectsAreIn_AndDefault_AnUnknownOneIs404()
    {
        await using var site = await TestSite.StartAsync();
        (await site.Http.PutAsync(TestSite.ObjectsPath("configmaps", "a", "shop"), new StringContent("apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n", System.Text.Encoding.UTF8, "application/yaml"))).EnsureSuccessStatusCode();

        var list = await site.Http.GetFromJsonAsync<JsonObject>("/api/v1/namespaces");
        var shop = await site.Http.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/shop");
        using var unknown = await site.Http.GetAsync("/api/v1/namespaces/nowhere");

        Assert.Equal(["default", "shop"], list!["items"]!.AsArray().Select(n => n!["metadata"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("Namespace", shop!["kind"]!.GetValue<string>());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task OpenApiV2Json_DescribesEveryKindWithItsGroupVersionKind()
    {
        await using var site = await TestSite.StartAsync();

        var document = await site.Http.GetFromJsonAsync<JsonObject>("/openapi/v2");

        var kinds = document!["definitions"]!.AsObject()
            .Select(d => d.Value?["x-kubernetes-group-version-kind"]?[0]?["kind"]?.GetValue<string>())
            .OfType<string>().ToHashSet();
        Assert.Superset(new HashSet<string> { "ConfigMap", "Function", "Keyspace", "Mission", "Service", "Site" }, kinds);
    }
}
