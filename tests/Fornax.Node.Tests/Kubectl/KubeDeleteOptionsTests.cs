using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests.Kubectl;

/// <summary>
/// DELETE with a <c>DeleteOptions</c> body, as kubectl and client-go send it: <c>kubectl delete --dry-run=server</c> puts
/// <c>{"dryRun":["All"]}</c> in the body, not in the query; a site reading only the query deleted the object.
/// </summary>
public sealed class KubeDeleteOptionsTests
{
    private static string Cm(string name) => $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: {name}, labels: {{app: x}}}}\ndata: {{k: v}}\n";

    private static HttpRequestMessage Delete(string path, string body) =>
        new(HttpMethod.Delete, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task Delete_DryRunInTheBody_AnswersTheObjectAndDeletesNothing_OneAndCollection()
    {
        await using var site = await TestSite.StartAsync();
        (await site.PutYamlAsync("configmaps", "a", Cm("a"))).EnsureSuccessStatusCode();
        const string DryRun = """{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"],"propagationPolicy":"Background"}""";

        using var one = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps", "a"), DryRun));
        using var collection = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps") + "?labelSelector=app%3Dx", DryRun));
        using var wrong = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps", "a"), """{"dryRun":["Some"]}"""));
        using var notJson = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps", "a"), "dryRun: All"));

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("a", (await one.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["name"]!.ToString());
        Assert.Equal(HttpStatusCode.OK, collection.StatusCode);
        Assert.Single((await collection.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("dryRun", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.NotNull(await site.GetAsync("configmaps", "a"));
    }

    [Fact]
    public async Task Delete_PreconditionsInTheBody_AStaleVersionOrAnotherUidIs409_TheRightOnesDelete()
    {
        await using var site = await TestSite.StartAsync();
        (await site.PutYamlAsync("configmaps", "a", Cm("a"))).EnsureSuccessStatusCode();
        var stored = (await site.GetAsync("configmaps", "a"))!;
        var uid = stored["metadata"]!["uid"]!.ToString();
        var version = stored["metadata"]!["resourceVersion"]!.ToString();

        using var staleVersion = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps", "a"), $$$"""{"preconditions":{"resourceVersion":"{{{long.Parse(version, System.Globalization.CultureInfo.InvariantCulture) - 1}}}"}}"""));
        using var otherUid = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps", "a"), """{"preconditions":{"uid":"not-this-one"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, staleVersion.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, otherUid.StatusCode);
        Assert.Contains("not-this-one", await otherUid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(await site.GetAsync("configmaps", "a"));

        using var right = await site.Http.SendAsync(Delete(TestSite.ObjectsPath("configmaps", "a"), $$$"""{"preconditions":{"uid":"{{{uid}}}","resourceVersion":"{{{version}}}"}}"""));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Null(await site.GetAsync("configmaps", "a"));
    }
}
