using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests;

/// <summary>
/// The visits counter (examples/functions/visits) at two edge sites of a tree, its keyspace replicated between them:
/// each site counts locally, also while cut off, and both converge on every site's count and the same total.
/// </summary>
public sealed class StatefulFunctionTreeTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Visits_InAReplicatedKeyspace_ConvergeAcrossTwoSites_AlsoAfterACut()
    {
        await using var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await tree.WaitConnectedAsync();
        var module = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "guests", "visits.wasm"));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module));
        using (var upload = new ByteArrayContent(module))
        {
            upload.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
            (await tree["cloud"].Http.PutAsync($"/blobs/{digest}", upload)).EnsureSuccessStatusCode();
        }

        await TreeHost.ApplyAsync(tree["cloud"], "missions", "visits", $$$"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: visits}
            spec:
              content:
                - apiVersion: fornax.io/v1
                  kind: Keyspace
                  metadata: {name: visits}
                  spec: {prefix: "visits:", placement: {sites: [a, b]}}
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: visits}
                  spec: {module: "{{{digest}}}", state: {keyspaces: [visits]}}
            """);

        using var a = new HttpClient { BaseAddress = new Uri(tree["a"].Node.Endpoints.Ingress) };
        using var b = new HttpClient { BaseAddress = new Uri(tree["b"].Node.Endpoints.Ingress) };
        await Poll.UntilAsync(async () => (await a.GetAsync("/fn/visits?peek")).StatusCode == HttpStatusCode.OK
            && (await b.GetAsync("/fn/visits?peek")).StatusCode == HttpStatusCode.OK, "visits to serve at a and b", TimeSpan.FromSeconds(30));

        for (var i = 0; i < 3; i++) await VisitAsync(a);
        for (var i = 0; i < 2; i++) await VisitAsync(b);
        await ConvergedAsync(a, b, total: 5, atA: 3, atB: 2);

        // Cut off, each site still counts its visits at once; the heal brings every increment to both.
        tree.Cut("cloud", "a");
        var whileCut = await VisitAsync(a);
        Assert.Equal((4, 6), (whileCut["siteVisits"]!.GetValue<long>(), whileCut["totalVisits"]!.GetValue<long>()));
        await VisitAsync(b);
        tree.Heal("cloud", "a");
        await ConvergedAsync(a, b, total: 7, atA: 4, atB: 3);
    }

    private static async Task<JsonObject> VisitAsync(HttpClient site, string query = "")
    {
        using var response = await site.GetAsync("/fn/visits" + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Waits until both sites read the same total, the per-site counts, and both sites in the set.</summary>
    private static async Task ConvergedAsync(HttpClient a, HttpClient b, long total, long atA, long atB)
    {
        JsonObject? seenA = null, seenB = null;
        await Poll.UntilAsync(async () =>
        {
            seenA = await VisitAsync(a, "?peek");
            seenB = await VisitAsync(b, "?peek");
            return seenA["totalVisits"]!.GetValue<long>() == total && seenB["totalVisits"]!.GetValue<long>() == total
                && seenA["sites"]!.AsArray().Count == 2 && seenB["sites"]!.AsArray().Count == 2;
        }, $"both sites to read a total of {total}", TimeSpan.FromSeconds(60), () => Task.FromResult($"a: {seenA?.ToJsonString()} b: {seenB?.ToJsonString()}"));
        Assert.Equal(atA, seenA!["siteVisits"]!.GetValue<long>());
        Assert.Equal(atB, seenB!["siteVisits"]!.GetValue<long>());
        Assert.Equal(["a", "b"], seenA["sites"]!.AsArray().Select(s => s!.GetValue<string>()).Order());
    }
}
