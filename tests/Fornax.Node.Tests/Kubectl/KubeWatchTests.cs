using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Api.Kube;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Node.Tests.Kubectl;

/// <summary>Watches as client-go's reflector uses them: bookmarks on a quiet stream, 410 Gone for a compacted start.</summary>
public sealed class KubeWatchTests
{
    private const string Cm = "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: NAME}\ndata: {k: v}\n";

    private static string WatchPath(string query) => TestSite.ObjectsPath("configmaps") + "?watch=true&" + query;

    [Fact]
    public async Task Watch_WithBookmarks_SendsABookmarkCarryingTheLastVersionWhenTheStreamIsQuiet()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var site = await TestSite.StartAsync(o => o with { TimeProvider = time });
        var list = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("configmaps"));
        var from = list!["metadata"]!["resourceVersion"]!.GetValue<string>();

        using var response = await site.Http.GetAsync(WatchPath($"resourceVersion={from}&allowWatchBookmarks=true"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await site.PutYamlAsync("configmaps", "a", Cm.Replace("NAME", "a", StringComparison.Ordinal))).EnsureSuccessStatusCode();
        var added = JsonNode.Parse((await lines.ReadLineAsync().WaitAsync(Poll.DefaultDeadline))!)!;
        Assert.Equal("ADDED", added["type"]!.GetValue<string>());
        var version = added["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>();

        // Nothing changes; each step of the clock by the bookmark interval must bring a BOOKMARK (the watch arms its
        // timer when it goes idle, so the clock is stepped until the first one is read, within a real-time deadline).
        var nextLine = lines.ReadLineAsync();
        bool StepUntilRead()
        {
            if (!nextLine.IsCompleted)
            {
                time.Advance(KubeWatch.BookmarkInterval);
            }

            return nextLine.IsCompleted;
        }

        await Poll.UntilAsync(StepUntilRead, "a bookmark after the watch went quiet");

        var bookmark = JsonNode.Parse((await nextLine)!)!;
        Assert.Equal("BOOKMARK", bookmark["type"]!.GetValue<string>());
        Assert.Equal("ConfigMap", bookmark["object"]!["kind"]!.GetValue<string>());
        Assert.Equal(version, bookmark["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_WithoutBookmarks_SendsNoneHoweverLongItIsQuiet()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var site = await TestSite.StartAsync(o => o with { TimeProvider = time });
        (await site.PutYamlAsync("configmaps", "a", Cm.Replace("NAME", "a", StringComparison.Ordinal))).EnsureSuccessStatusCode();

        using var response = await site.Http.GetAsync(WatchPath("resourceVersion=1"), HttpCompletionOption.ResponseHeadersRead);
        using var lines = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = JsonNode.Parse((await lines.ReadLineAsync().WaitAsync(Poll.DefaultDeadline))!)!;
        time.Advance(KubeWatch.BookmarkInterval * 4);
        (await site.PutYamlAsync("configmaps", "b", Cm.Replace("NAME", "b", StringComparison.Ordinal))).EnsureSuccessStatusCode();
        var second = JsonNode.Parse((await lines.ReadLineAsync().WaitAsync(Poll.DefaultDeadline))!)!;

        Assert.Equal(("ADDED", "ADDED"), (first["type"]!.GetValue<string>(), second["type"]!.GetValue<string>()));
        Assert.Equal("b", second["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_FromACompactedVersion_Is410Gone_WithAStatusTheReflectorReLists()
    {
        await using var site = await TestSite.StartAsync(o => o with { ConfigureStore = s => s with { WatchHistory = 3 } });
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f" })
        {
            (await site.PutYamlAsync("configmaps", name, Cm.Replace("NAME", name, StringComparison.Ordinal))).EnsureSuccessStatusCode();
        }

        using var response = await site.Http.GetAsync(WatchPath("resourceVersion=1"), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(("Status", "Gone", 410), (status!["kind"]!.GetValue<string>(), status["reason"]!.GetValue<string>(), status["code"]!.GetValue<int>()));

        // What the reflector does next: list, then watch from the list's version — and that works.
        var list = await site.Http.GetFromJsonAsync<JsonObject>(TestSite.ObjectsPath("configmaps"));
        Assert.Equal(6, list!["items"]!.AsArray().Count);
        using var again = await site.Http.GetAsync(WatchPath($"resourceVersion={list["metadata"]!["resourceVersion"]}&timeoutSeconds=1"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task MergePatch_ThatMakesTheObjectInvalid_Is422NamingTheField_AndChangesNothing()
    {
        await using var site = await TestSite.StartAsync();
        (await site.PutYamlAsync("configmaps", "a", Cm.Replace("NAME", "a", StringComparison.Ordinal))).EnsureSuccessStatusCode();
        var before = await site.GetAsync("configmaps", "a");

        using var response = await site.Http.PatchAsync(TestSite.ObjectsPath("configmaps", "a"),
            new StringContent("""{"metadata":{"labels":{"bad key!":"x"}}}""", Encoding.UTF8, "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("metadata.labels", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before!.ToJsonString(), (await site.GetAsync("configmaps", "a"))!.ToJsonString());
    }
}
