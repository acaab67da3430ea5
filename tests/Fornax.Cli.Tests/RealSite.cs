using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Cli.Tests;

/// <summary>
/// A real site (<see cref="SiteNode"/>: store, API, mission controller) on 127.0.0.1 with free ports and a
/// temporary data directory that dispose deletes. The helpers speak the site API of docs/api.md, as any client would.
/// </summary>
public sealed class RealSite : IAsyncDisposable
{
    private readonly HttpClient _http;
    private SiteNode? _node;

    private RealSite(SiteNode node, string dataDirectory)
    {
        _node = node;
        DataDirectory = dataDirectory;
        Url = node.Endpoints.Api;
        _http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Url { get; }

    public string Name => Node.Options.Name;

    public string DataDirectory { get; }

    public SiteNode Node => _node ?? throw new ObjectDisposedException(nameof(RealSite));

    /// <summary>Starts a root site named <paramref name="name"/> (tier cloud unless given); <paramref name="time"/> stamps creation times.</summary>
    public static async Task<RealSite> StartAsync(string name = "cloud", string? tier = null, TimeProvider? time = null, Func<NodeOptions, NodeOptions>? configure = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fornax-cli-site-").FullName;
        try
        {
            var options = new NodeOptions
            {
                DataDirectory = dataDirectory,
                Name = name,
                Tier = tier,
                LogLevel = LogLevel.Warning,
                TimeProvider = time ?? TimeProvider.System,
            };
            var node = await SiteNode.StartAsync(configure?.Invoke(options) ?? options);
            return new RealSite(node, dataDirectory);
        }
        catch
        {
            Directory.Delete(dataDirectory, recursive: true);
            throw;
        }
    }

    public static string ObjectPath(string plural, string? name = null, string ns = Kinds.DefaultNamespace) =>
        $"/apis/fornax.io/v1/namespaces/{ns}/{plural}" + (name is null ? "" : "/" + name);

    /// <summary>Applies every document of <paramref name="yaml"/> with PUT, as <c>kubectl apply</c> would.</summary>
    public async Task ApplyAsync(string yaml)
    {
        foreach (var obj in ObjectSerializer.ParseDocuments(yaml))
        {
            var path = ObjectPath(Kinds.Get(obj.Kind).Plural, obj.Metadata.Name, obj.Metadata.NamespaceOrDefault);
            using var response = await _http.PutAsync(path, new StringContent(ObjectSerializer.ToJson(obj), Encoding.UTF8, "application/json"));
            await EnsureSuccessAsync(response);
        }
    }

    public async Task<JsonObject?> FindAsync(string plural, string name, string ns = Kinds.DefaultNamespace)
    {
        using var response = await _http.GetAsync(ObjectPath(plural, name, ns));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response);
        return await response.Content.ReadFromJsonAsync<JsonObject>();
    }

    /// <summary><c>namespace/name</c> of every object of a kind, across all namespaces.</summary>
    public async Task<IReadOnlyList<string>> NamesAsync(string plural)
    {
        using var response = await _http.GetAsync($"/apis/fornax.io/v1/{plural}");
        await EnsureSuccessAsync(response);
        var list = await response.Content.ReadFromJsonAsync<JsonObject>();
        return [.. list!["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}")];
    }

    /// <summary>Every mission, config map and function: what an apply could have written (the site's own Site is always there).</summary>
    public async Task<IReadOnlyList<string>> AppliedObjectsAsync() =>
        [.. await NamesAsync("missions"), .. await NamesAsync("configmaps"), .. await NamesAsync("functions")];

    /// <summary>
    /// Every stored object but the sites, as <c>kind namespace/name resourceVersion</c>: equal before and after a command
    /// means it wrote nothing. (The store's own resource version also moves when the site rewrites its Site's status,
    /// about once a minute, which made a check of it fail now and then.)
    /// </summary>
    public async Task<IReadOnlyList<string>> WrittenObjectsAsync()
    {
        var objects = new List<string>();
        foreach (var kind in Kinds.All.Where(k => k.Stored && k.Kind != "Site"))
        {
            using var response = await _http.GetAsync($"/apis/fornax.io/v1/{kind.Plural}");
            await EnsureSuccessAsync(response);
            var list = await response.Content.ReadFromJsonAsync<JsonObject>();
            objects.AddRange(list!["items"]!.AsArray().Select(i =>
                $"{kind.Kind} {i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]} {i["metadata"]!["resourceVersion"]}"));
        }

        return objects;
    }

    public async Task<byte[]?> BlobAsync(string digest)
    {
        using var response = await _http.GetAsync($"/blobs/{digest}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync();
    }

    /// <summary>Waits until this site's mission controller has written its entry of the mission's <c>status.state</c>.</summary>
    public async Task<string> WaitForMissionStateAsync(string mission, string ns = Kinds.DefaultNamespace)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (await FindAsync("missions", mission, ns) is { } found && found["status"]?["state"]?[Name]?.GetValue<string>() is { } state)
            {
                return state;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"site {Name} wrote no state for mission {mission} within 30s");
            }

            // Polling the API, as a client without a watch would; the controller settles in milliseconds.
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Adds entries to a mission's <c>status.state</c> through <c>PUT …/status</c>, as the reports of child sites
    /// arrive at a parent, keeping what is there; retried when the mission controller writes in between.
    /// </summary>
    public async Task AddMissionStatesAsync(string mission, IReadOnlyDictionary<string, string> states)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = await FindAsync("missions", mission) ?? throw new InvalidOperationException($"no mission {mission}");
            var status = current["status"]?.DeepClone() as JsonObject ?? [];
            var state = status["state"] as JsonObject ?? [];
            foreach (var (path, value) in states)
            {
                state[path] = value;
            }

            status["state"] = state;
            var body = new JsonObject
            {
                ["metadata"] = new JsonObject { ["resourceVersion"] = current["metadata"]!["resourceVersion"]!.DeepClone() },
                ["status"] = status,
            };
            using var response = await _http.PutAsync(ObjectPath("missions", mission) + "/status", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.Conflict || attempt == 10)
            {
                await EnsureSuccessAsync(response);
                return;
            }
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _node, null) is not { } node)
        {
            return;
        }

        _http.Dispose();
        await node.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (Windows) leaves the folder to the OS temp cleanup.
        }
    }
}
