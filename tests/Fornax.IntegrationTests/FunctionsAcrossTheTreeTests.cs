using Fornax.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Fornax.Core.Objects;
using Fornax.Node.Trees;

namespace Fornax.IntegrationTests;

/// <summary>A Function carried by a mission reaches sites that never saw its module: the blob travels down the links.</summary>
public sealed class FunctionsAcrossTheTreeTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task FunctionInAMissionAtTheRoot_IsServedAtEveryTarget_WithItsBlobFetchedDownTheTree()
    {
        await using var tree = await TreeHost.StartAsync(TreeHost.Chain("a", "b", "c"));
        var module = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "guests", "hello.wasm"));
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module));
        using (var upload = new ByteArrayContent(module))
        {
            upload.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
            (await tree["a"].Http.PutAsync($"/blobs/{digest}", upload)).EnsureSuccessStatusCode();
        }

        // Only the root has the module; b and c get it over their links when the mission arrives.
        await TreeHost.ApplyAsync(tree["a"], "missions", "hello-everywhere", $$"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: hello-everywhere}
            spec:
              content:
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: hello}
                  spec: {module: "{{digest}}"}
            """);

        await Poll.UntilAsync(async () =>
        {
            var states = await TreeHost.StatesAsync(tree["a"], "hello-everywhere");
            return new[] { "a", "a/b", "a/b/c" }.All(p => states.GetValueOrDefault(p) == MissionStates.Active);
        }, "the mission to be Active at every site", TimeSpan.FromSeconds(20));

        foreach (var name in new[] { "a", "b", "c" })
        {
            using var ingress = new HttpClient { BaseAddress = new Uri(tree[name].Node.Endpoints.Ingress) };
            HttpResponseMessage? response = null;
            await Poll.UntilAsync(async () =>
            {
                response = await ingress.GetAsync("/fn/hello/?name=tree");
                return response.StatusCode == HttpStatusCode.OK;
            }, $"hello to answer at {name}", TimeSpan.FromSeconds(20));
            Assert.Contains($"Hello, tree from {name}!", await response!.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var head = new HttpRequestMessage(HttpMethod.Head, $"/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, (await tree["c"].Http.SendAsync(head)).StatusCode);
    }
}
