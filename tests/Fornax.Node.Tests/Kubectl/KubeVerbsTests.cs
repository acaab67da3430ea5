using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests.Kubectl;

/// <summary>The Kubernetes verbs and parameters over plain HTTP, where kubectl would hide the detail.</summary>
public sealed class KubeVerbsTests
{
    private static string Cm(string name, string app) =>
        $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: {name}, labels: {{app: {app}}}}}\ndata: {{k: v}}\n";

    private static async Task<TestSite> SiteWithAsync(params (string Name, string App)[] maps)
    {
        var site = await TestSite.StartAsync();
        foreach (var (name, app) in maps)
        {
            (await site.PutYamlAsync("configmaps", name, Cm(name, app))).EnsureSuccessStatusCode();
        }

        return site;
    }

    private static async Task<List<string>> NamesAsync(TestSite site, string query)
    {
        var list = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("configmaps") + query);
        return [.. list!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString())];
    }

    private static async Task<long> SiteVersionAsync(TestSite site) =>
        (await site.Http.GetFromJsonAsync<JsonObject>("/api/site"))!["resourceVersion"]!.GetValue<long>();

    [Fact]
    public async Task List_LimitAndContinue_PagesThroughEveryObjectOnce()
    {
        await using var site = await SiteWithAsync(("a", "x"), ("b", "x"), ("c", "y"), ("d", "x"), ("e", "y"));

        var first = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("configmaps") + "?limit=2");
        var next = first!["metadata"]!["continue"]!.ToString();
        var second = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("configmaps") + $"?limit=2&continue={Uri.EscapeDataString(next)}");
        var third = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("configmaps") + $"?limit=2&continue={Uri.EscapeDataString(second!["metadata"]!["continue"]!.ToString())}");

        Assert.Equal(3, first["metadata"]!["remainingItemCount"]!.GetValue<long>());
        Assert.Equal(first["metadata"]!["resourceVersion"]!.ToString(), third!["metadata"]!["resourceVersion"]!.ToString());
        Assert.Equal(["a", "b", "c", "d", "e"], new[] { first, second, third }.SelectMany(l => l!["items"]!.AsArray()).Select(i => i!["metadata"]!["name"]!.ToString()));
        Assert.Null(third["metadata"]!["continue"]);
    }

    [Fact]
    public async Task List_LabelAndFieldSelectors_FilterOnTheServer_AndBadOnesAre400()
    {
        await using var site = await SiteWithAsync(("a", "x"), ("b", "y"), ("c", "x"));

        Assert.Equal(["a", "c"], await NamesAsync(site, "?labelSelector=app%3Dx"));
        Assert.Equal(["b"], await NamesAsync(site, "?fieldSelector=metadata.name%3Db"));
        Assert.Equal(["c"], await NamesAsync(site, "?labelSelector=app%3Dx&fieldSelector=metadata.name!%3Da"));
        var badField = await site.Http.GetAsync(TestSite.ObjectsPath("configmaps") + "?fieldSelector=spec.x%3D1");
        var badLabel = await site.Http.GetAsync(TestSite.ObjectsPath("configmaps") + "?labelSelector=app%20in%20(x");
        Assert.Equal(HttpStatusCode.BadRequest, badField.StatusCode);
        Assert.Contains("field label not supported: spec.x", await badField.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badLabel.StatusCode);
        Assert.Contains("unbalanced parentheses", await badLabel.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeleteCollection_DeletesWhatTheSelectorMatches_DryRunNothing()
    {
        await using var site = await SiteWithAsync(("a", "x"), ("b", "y"), ("c", "x"));

        var dry = await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps") + "?labelSelector=app%3Dx&dryRun=All");
        Assert.Equal(["a", "b", "c"], await NamesAsync(site, ""));
        var real = await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps") + "?labelSelector=app%3Dx");

        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        Assert.Equal(2, (await real.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Count);
        Assert.Equal(["b"], await NamesAsync(site, ""));
    }

    [Fact]
    public async Task DryRun_CreateAndPatch_AnswerTheObjectAndWriteNothing_OtherValuesAre400()
    {
        await using var site = await SiteWithAsync(("a", "x"));
        var before = await SiteVersionAsync(site);

        var create = await site.Http.PostAsync(TestSite.ObjectsPath("configmaps") + "?dryRun=All", new StringContent(Cm("new", "x"), Encoding.UTF8, "application/yaml"));
        var patch = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "a") + "?dryRun=All", new StringContent("""{"data":{"k":"w"}}""", Encoding.UTF8, "application/merge-patch+json"));
        var wrong = await site.Http.PostAsync(TestSite.ObjectsPath("configmaps") + "?dryRun=Some", new StringContent(Cm("new", "x"), Encoding.UTF8, "application/yaml"));

        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        Assert.Equal("w", (await patch.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["k"]!.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(before, await SiteVersionAsync(site));
        Assert.Null(await site.GetAsync("configmaps", "new"));
        Assert.Equal("v", (await site.GetAsync("configmaps", "a"))!["data"]!["k"]!.ToString());
    }

    [Fact]
    public async Task Patch_JsonPatchApplies_BadPatchesAreRefusedAndChangeNothing()
    {
        await using var site = await SiteWithAsync(("a", "x"));
        HttpContent Body(string text, string type) => new StringContent(text, Encoding.UTF8, type);

        var json = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "a"), Body("""[{"op":"add","path":"/data/n","value":"1"},{"op":"test","path":"/data/k","value":"v"}]""", "application/json-patch+json"));
        var failedTest = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "a"), Body("""[{"op":"replace","path":"/data/k","value":"z"},{"op":"test","path":"/data/k","value":"nope"}]""", "application/json-patch+json"));
        var directive = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "a"), Body("""{"data":{"$patch":"replace"}}""", "application/strategic-merge-patch+json"));
        var unsupported = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "a"), Body("""{"data":{}}""", "text/plain"));
        var missing = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "none"), Body("{}", "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failedTest.StatusCode);
        Assert.Contains("operation 1 (test /data/k)", await failedTest.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, directive.StatusCode);
        Assert.Contains("$patch", await directive.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var data = (await site.GetAsync("configmaps", "a"))!["data"]!;
        Assert.Equal(("v", "1"), (data["k"]!.ToString(), data["n"]!.ToString()));
    }

    [Fact]
    public async Task PutStatus_WithTheQuotedResourceVersionAGetAnswers_IsAPrecondition()
    {
        await using var site = await SiteWithAsync(("a", "x"));
        var read = (await site.GetAsync("configmaps", "a"))!;
        var quoted = read["metadata"]!["resourceVersion"]!.GetValueKind();
        read["status"] = new JsonObject { ["note"] = "seen" };

        var ok = await site.Http.PutAsJsonAsync(TestSite.ObjectsPath("configmaps", "a") + "/status", read);
        var stale = await site.Http.PutAsJsonAsync(TestSite.ObjectsPath("configmaps", "a") + "/status", read);
        read["metadata"]!["resourceVersion"] = "twelve";
        var malformed = await site.Http.PutAsJsonAsync(TestSite.ObjectsPath("configmaps", "a") + "/status", read);

        Assert.Equal(JsonValueKind.String, quoted);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }
}
