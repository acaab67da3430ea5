using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests;

/// <summary>The dashboard's server side over real HTTP: its files, its apply and its live feed (the page itself: Fornax.Dashboard.Tests).</summary>
public sealed class DashboardApiTests
{
    [Fact]
    public async Task Ui_RedirectsToTheSlash_ServesEmbeddedFilesWithAPolicy_And404sTheRest()
    {
        await using var site = await TestSite.StartAsync();
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = site.Http.BaseAddress };

        var bare = await noRedirect.GetAsync("/ui");
        var index = await site.Http.GetAsync("/ui/");
        var script = await site.Http.GetAsync("/ui/js/main.js");
        var missing = await site.Http.GetAsync("/ui/nope.js");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/js/main.js");
        again.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        var notModified = await site.Http.SendAsync(again);

        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal("/ui/", bare.Headers.Location?.ToString());
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<script type=\"module\" src=\"/ui/js/main.js\">", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Apply_AnInvalidDocumentAmongValidOnes_NamesTheFieldAndAppliesNothing()
    {
        await using var site = await TestSite.StartAsync();
        const string Yaml = """
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata:
              name: first
            data:
              a: b
            ---
            apiVersion: fornax.io/v1
            kind: Mission
            metadata:
              name: bad
            spec:
              placement:
                selector:
                  matchExpressions:
                  - key: tier
                    operator: Like
            """;

        var response = await site.Http.PostAsync("/api/dashboard/apply", new StringContent(Yaml, Encoding.UTF8, "application/yaml"));
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("spec.placement.selector.matchExpressions[0].operator", status["details"]!["causes"]![0]!["field"]!.GetValue<string>());
        Assert.Null(await site.GetAsync("configmaps", "first"));
    }

    [Fact]
    public async Task Apply_SeveralDocuments_AppliesEachAndSaysWhatHappened()
    {
        await using var site = await TestSite.StartAsync();
        const string Yaml = """
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata:
              name: one
            data:
              a: b
            ---
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata:
              name: two
            """;
        (await site.PutYamlAsync("configmaps", "one", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: b\n")).EnsureSuccessStatusCode();

        var response = await site.Http.PostAsync("/api/dashboard/apply", new StringContent(Yaml, Encoding.UTF8, "application/yaml"));
        var applied = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["applied"]!.AsArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["one unchanged", "two created"], applied.Select(a => $"{a!["name"]} {a["outcome"]}"));
        Assert.NotNull(await site.GetAsync("configmaps", "two"));
    }

    [Fact]
    public async Task Events_SendASnapshotThenEachChange()
    {
        await using var site = await TestSite.StartAsync();
        (await site.PutYamlAsync("configmaps", "before", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata:\n  name: before\n")).EnsureSuccessStatusCode();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/dashboard/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await site.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var (snapshotName, snapshot) = await ReadEventAsync(reader);
        (await site.PutYamlAsync("configmaps", "after", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata:\n  name: after\n")).EnsureSuccessStatusCode();
        var change = await ReadUntilAsync(reader, "change");

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("snapshot", snapshotName);
        Assert.Equal("solo", snapshot["site"]!["name"]!.GetValue<string>());
        Assert.Contains(snapshot["objects"]!.AsArray(), o => o!["kind"]!.GetValue<string>() == "ConfigMap" && o["metadata"]!["name"]!.GetValue<string>() == "before");
        Assert.Contains(snapshot["objects"]!.AsArray(), o => o!["kind"]!.GetValue<string>() == "Site");
        Assert.Equal("ADDED", change[0]!["type"]!.GetValue<string>());
        Assert.Equal("after", change[0]!["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    private static async Task<JsonNode> ReadUntilAsync(StreamReader reader, string name)
    {
        for (var i = 0; i < 20; i++)
        {
            var (read, data) = await ReadEventAsync(reader);
            if (read == name)
            {
                return data;
            }
        }

        throw new InvalidOperationException($"no \"{name}\" event in 20");
    }

    private static async Task<(string Name, JsonNode Data)> ReadEventAsync(StreamReader reader)
    {
        string? name = null;
        string? data = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.Length == 0 && name is not null)
            {
                return (name, JsonNode.Parse(data!)!);
            }
        }

        throw new EndOfStreamException("the feed ended");
    }
}
