using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Tests;

/// <summary>A real site on 127.0.0.1 with free ports and a temporary data directory.</summary>
internal sealed class TestSite : IAsyncDisposable
{
    private readonly bool _keepDataDirectory;

    private TestSite(SiteNode node, string dataDirectory, bool keepDataDirectory)
    {
        Node = node;
        DataDirectory = dataDirectory;
        _keepDataDirectory = keepDataDirectory;
        Http = new HttpClient { BaseAddress = new Uri(node.Endpoints.Api), Timeout = TimeSpan.FromSeconds(30) };
    }

    public SiteNode Node { get; }

    public string DataDirectory { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a site; its data directory is deleted when it is disposed, unless <paramref name="keepDataDirectory"/> (to start it again).</summary>
    public static async Task<TestSite> StartAsync(Func<NodeOptions, NodeOptions>? configure = null, string? dataDirectory = null, bool keepDataDirectory = false)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("fornax-test-").FullName;
        var options = new NodeOptions { DataDirectory = dataDirectory, Name = "solo", LogLevel = LogLevel.Warning };
        options = configure?.Invoke(options) ?? options;
        return new TestSite(await SiteNode.StartAsync(options), dataDirectory, keepDataDirectory);
    }

    public static string ObjectsPath(string plural, string? name = null, string ns = "default") =>
        $"/apis/fornax.io/v1/namespaces/{ns}/{plural}" + (name is null ? "" : "/" + name);

    public Task<HttpResponseMessage> PutYamlAsync(string plural, string name, string yaml) =>
        Http.PutAsync(ObjectsPath(plural, name), new StringContent(yaml, Encoding.UTF8, "application/yaml"));

    public async Task<JsonObject?> GetAsync(string plural, string name)
    {
        var response = await Http.GetAsync(ObjectsPath(plural, name));
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Node.DisposeAsync();
        if (_keepDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
