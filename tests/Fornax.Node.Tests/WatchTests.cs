using System.Net;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests;

public sealed class WatchTests
{
    [Fact]
    public async Task Watch_FromResourceVersion_SeesEveryLaterChangeExactlyOnce()
    {
        await using var site = await TestSite.StartAsync();
        var start = (await (await site.PutYamlAsync("configmaps", "c0", Cm("c0", "0"))).Content.ReadAsStringAsync());
        var fromRv = long.Parse(JsonNode.Parse(start)!["metadata"]!["resourceVersion"]!.ToString());

        // Changes before the watch connects (history) and after it (live) must both arrive once each.
        var expected = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            expected.Add(await RvOf(site.PutYamlAsync("configmaps", $"c{i}", Cm($"c{i}", "a"))));
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await site.Http.GetStreamAsync($"{TestSite.ObjectsPath("configmaps")}?watch=true&resourceVersion={fromRv}", cts.Token);
        using var reader = new StreamReader(stream);
        for (var i = 1; i <= 5; i++)
        {
            expected.Add(await RvOf(site.PutYamlAsync("configmaps", $"c{i}", Cm($"c{i}", "b"))));
        }

        var deleted = await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps", "c3"));
        expected.Add(await RvOf(Task.FromResult(deleted)));

        var seen = new List<(string Type, long Rv)>();
        while (seen.Count < expected.Count)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            var e = JsonNode.Parse(line!)!;
            seen.Add((e["type"]!.GetValue<string>(), long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.ToString())));
        }

        Assert.Equal(expected, seen.Select(s => s.Rv));
        Assert.Equal(Enumerable.Repeat("ADDED", 5).Concat(Enumerable.Repeat("MODIFIED", 5)).Append("DELETED"), seen.Select(s => s.Type));
    }

    [Fact]
    public async Task Watch_OtherKinds_AreNotStreamed()
    {
        await using var site = await TestSite.StartAsync();
        var rv = await RvOf(site.PutYamlAsync("configmaps", "c0", Cm("c0", "0")));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await site.Http.GetStreamAsync($"{TestSite.ObjectsPath("missions")}?watch=true&resourceVersion={rv}", cts.Token);
        using var reader = new StreamReader(stream);
        await site.PutYamlAsync("configmaps", "c1", Cm("c1", "x"));
        var missionRv = await RvOf(site.PutYamlAsync("missions", "m", """
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: m}
            spec: {content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: from-m}}]}
            """));

        var first = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;

        Assert.Equal("Mission", first["object"]!["kind"]!.GetValue<string>());
        Assert.Equal(missionRv, long.Parse(first["object"]!["metadata"]!["resourceVersion"]!.ToString()));
    }

    [Fact]
    public async Task Watch_MalformedResourceVersionZero_StartsFromTheBeginning()
    {
        await using var site = await TestSite.StartAsync();
        await site.PutYamlAsync("configmaps", "c0", Cm("c0", "0"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await site.Http.GetAsync($"{TestSite.ObjectsPath("configmaps")}?watch=true&resourceVersion=0", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = JsonNode.Parse((await reader.ReadLineAsync(cts.Token))!)!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("c0", first["object"]!["metadata"]!["name"]!.GetValue<string>());
    }

    private static string Cm(string name, string value) =>
        $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{v: \"{value}\"}}\n";

    private static async Task<long> RvOf(Task<HttpResponseMessage> response)
    {
        var r = await response;
        r.EnsureSuccessStatusCode();
        return long.Parse(JsonNode.Parse(await r.Content.ReadAsStringAsync())!["metadata"]!["resourceVersion"]!.ToString());
    }
}
