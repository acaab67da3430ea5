using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Fornax.Node.Tests.Kubectl;

/// <summary>The KubernetesClient NuGet package's generic client against a real site, with its own typed metadata.</summary>
public sealed class KubernetesClientTests
{
    [Fact]
    public async Task GenericClient_ListsAndWatchesMissions()
    {
        await using var site = await TestSite.StartAsync();
        await PutMissionAsync(site, "first");
        using var generic = new GenericClient(new Kubernetes(new KubernetesClientConfiguration { Host = site.Node.Endpoints.Api }), "fornax.io", "v1", "missions");

        var list = await generic.ListNamespacedAsync<MissionList>("default");

        var item = Assert.Single(list.Items);
        Assert.Equal("first", item.Metadata.Name);
        Assert.Equal("Mission", item.Kind);
        Assert.False(string.IsNullOrEmpty(list.Metadata.ResourceVersion));
        Assert.Equal(JsonValueKind.Array, item.Spec.GetProperty("content").ValueKind);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<(WatchEventType, string)>();
        await foreach (var (type, mission) in generic.WatchNamespacedAsync<Mission>("default", cancel: cts.Token))
        {
            seen.Add((type, mission.Metadata.Name));
            if (seen.Count == 1)
            {
                await PutMissionAsync(site, "second");
            }
            else
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Added, "first"), (WatchEventType.Added, "second")], seen);
    }

    private static async Task PutMissionAsync(TestSite site, string name)
    {
        var response = await site.PutYamlAsync("missions", name, $"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata:
              name: {name}
            spec:
              content:
                - apiVersion: fornax.io/v1
                  kind: ConfigMap
                  metadata:
                    name: c
            """);
        response.EnsureSuccessStatusCode();
    }

    private sealed class Mission : IKubernetesObject<V1ObjectMeta>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = new();

        [JsonPropertyName("spec")]
        public JsonElement Spec { get; set; }

        [JsonPropertyName("status")]
        public JsonElement? Status { get; set; }
    }

    private sealed class MissionList : IKubernetesObject<V1ListMeta>, IItems<Mission>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [JsonPropertyName("metadata")]
        public V1ListMeta Metadata { get; set; } = new();

        [JsonPropertyName("items")]
        public IList<Mission> Items { get; set; } = [];
    }
}
