using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Emulation;
using Fornax.Node.Emulation;
using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Trees;

/// <summary>Settings of an in-process tree (<see cref="TreeHost"/>).</summary>
public sealed record TreeHostOptions
{
    /// <summary>Short by default, so a demo (or a test) tree converges in seconds.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public int MissedHeartbeats { get; init; } = 3;

    /// <summary>Folder holding one data directory per site; null = a new temporary folder, deleted on dispose.</summary>
    public string? DataRoot { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How many sites whose parents are up may start at once. 1 (the default) starts them one after another; a large tree
    /// starts much faster with a few at a time, since a start mostly waits (fsync, the join's round trips to the root).
    /// </summary>
    public int StartConcurrency { get; init; } = 1;

    /// <summary>Scheduler settings of every site beyond its capacity (tests lower the queue threshold).</summary>
    public Func<Fornax.Scheduling.SchedulingOptions, Fornax.Scheduling.SchedulingOptions>? ConfigureScheduling { get; init; }

    /// <summary>Data-locality settings of every site (tests lower the promotion and drop thresholds).</summary>
    public Func<Fornax.Scheduling.Locality.LocalityOptions, Fornax.Scheduling.Locality.LocalityOptions>? ConfigureLocality { get; init; }
}

/// <summary>One site of a <see cref="TreeHost"/>.</summary>
public sealed class TreeSite(string name, string? parent, string dataDirectory, NodeOptions options)
{
    public string Name { get; } = name;

    public string? Parent { get; } = parent;

    public string DataDirectory { get; } = dataDirectory;

    internal NodeOptions Options { get; set; } = options;

    public SiteNode Node { get; internal set; } = null!;

    /// <summary>The emulator in front of this site's uplink (null at the root).</summary>
    public LinkEmulator? Uplink { get; internal set; }

    public HttpClient Http { get; internal set; } = null!;

    /// <summary>False between <see cref="TreeHost.StopAsync"/> and <see cref="TreeHost.StartAgainAsync"/>.</summary>
    public bool IsRunning { get; internal set; }

    /// <summary>The ports it starts on again, held while it is stopped.</summary>
    internal HeldPorts? HeldPorts { get; set; }

    public string Path => Node.Links.Self.Path;
}

/// <summary>
/// N real <see cref="SiteNode"/>s in one process, started from a <see cref="Topology"/>, parents first; every child
/// joins its parent with a join token from the parent's API and dials it through a <see cref="LinkEmulator"/>
/// (latency, bandwidth and loss from the topology's <c>link:</c>), which <see cref="Cut"/> and <see cref="Heal"/> drive.
/// </summary>
public sealed partial class TreeHost : IAsyncDisposable
{
    private readonly Dictionary<string, TreeSite> _sites = [];
    private readonly Lock _gate = new();
    private readonly List<string> _order = [];
    private readonly HashSet<(string From, string To)> _refusedPortalPaths = [];
    private readonly HashSet<(string From, string To)> _resetPortalPaths = [];
    private readonly TreeHostOptions _options;
    private readonly string _root;
    private readonly bool _ownsRoot;

    private TreeHost(TreeHostOptions options)
    {
        _options = options;
        _ownsRoot = options.DataRoot is null;
        _root = options.DataRoot ?? Directory.CreateTempSubdirectory("fornax-tree-").FullName;
    }

    public IReadOnlyDictionary<string, TreeSite> Sites => _sites;

    public TreeSite this[string name] => _sites[name];

    /// <summary>A chain topology: <c>names[0]</c> is the root, each next site a child of the previous.</summary>
    public static Topology Chain(params string[] names) => new()
    {
        Metadata = new ObjectMeta { Name = "chain" },
        Spec = new TopologySpec
        {
            Sites = [.. names.Select((n, i) => new TopologySite { Name = n, Parent = i == 0 ? null : names[i - 1], Tier = i == 0 ? SiteTiers.Cloud : i == names.Length - 1 ? SiteTiers.Edge : SiteTiers.Region })],
        },
    };

    public static async Task<TreeHost> StartAsync(Topology topology, TreeHostOptions? options = null, CancellationToken ct = default)
    {
        var tree = new TreeHost(options ?? new TreeHostOptions());
        try
        {
            var sites = topology.Spec.Sites ?? [];
            var pending = sites.ToList();
            while (pending.Count > 0)
            {
                var ready = pending.Where(s => s.Parent is null || tree._sites.ContainsKey(s.Parent)).ToList();
                if (ready.Count == 0)
                {
                    throw new ArgumentException($"topology: sites {string.Join(", ", pending.Select(s => s.Name))} have no reachable parent");
                }

                // Every site of the batch is waited for (started or failed) before a failure ends the start.
                await Parallel.ForEachAsync(ready, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, tree._options.StartConcurrency), CancellationToken = ct }, tree.AddSiteAsync);
                pending.RemoveAll(ready.Contains);
            }

            await tree.WaitConnectedAsync(TimeSpan.FromSeconds(30));
            return tree;
        }
        catch
        {
            await tree.DisposeAsync();
            throw;
        }
    }

    private async ValueTask AddSiteAsync(TopologySite spec, CancellationToken ct)
    {
        var data = System.IO.Path.Combine(_root, spec.Name);
        Directory.CreateDirectory(data);
        var options = new NodeOptions
        {
            DataDirectory = data,
            Name = spec.Name,
            Tier = spec.Tier,
            Labels = spec.Labels ?? [],
            AllowCommands = spec.AllowCommands ?? false,
            Capacity = spec.Capacity ?? 0,
            ConfigureScheduling = _options.ConfigureScheduling,
            ConfigureLocality = _options.ConfigureLocality,
            HeartbeatInterval = _options.HeartbeatInterval,
            MissedHeartbeats = _options.MissedHeartbeats,
            LogLevel = _options.LogLevel,
            TimeProvider = _options.TimeProvider,
            Uplink = spec.Link,
            PortalConnect = (target, endpoint, ct) => ConnectPortalAsync(spec.Name, target, endpoint, ct),
        };
        var site = new TreeSite(spec.Name, spec.Parent, data, options);
        if (spec.Parent is { } parentName)
        {
            TreeSite parent;
            lock (_gate)
            {
                parent = _sites[parentName];
            }

            // The parent forwards the CSR up its own link, so that link must be up first.
            await WaitUntilAsync(() => parent.Node.Links.Uplink is not { IsConnected: false }, $"{parentName}'s uplink before {spec.Name} joins", TimeSpan.FromSeconds(30));
            var token = await CreateJoinTokenAsync(parent, ct);
            site.Options = options with { Join = parent.Node.Endpoints.Api, JoinToken = token, UplinkEmulator = new UplinkEmulatorFactory(_options.TimeProvider, emulator => site.Uplink = emulator) };
        }

        await StartSiteAsync(site, ct);
        lock (_gate)
        {
            _sites[spec.Name] = site;
            _order.Add(spec.Name);
        }
    }

    private async Task StartSiteAsync(TreeSite site, CancellationToken ct)
    {
        site.Node = await SiteNode.StartAsync(site.Options, ct);
        site.Http = new HttpClient { BaseAddress = new Uri(site.Node.Endpoints.Api), Timeout = TimeSpan.FromSeconds(30) };
        site.IsRunning = true;
    }

    private static async Task<string> CreateJoinTokenAsync(TreeSite parent, CancellationToken ct)
    {
        var response = await parent.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["ttl"] = "10m" }, WebJson.Default.JsonObject, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync(WebJson.Default.JsonObject, ct);
        return body!["token"]!.GetValue<string>();
    }

    /// <summary>
    /// Cuts the link between two adjacent sites (either order); both sides keep running. Emulated direct paths between
    /// portals whose tree path crosses the link are cut with it (see <see cref="CutPortalPaths"/>).
    /// </summary>
    public void Cut(string a, string b, LinkCutMode mode = LinkCutMode.Reset)
    {
        LinkBetween(a, b).Cut(mode);
        CutPortalPaths(ChildOf(a, b), mode);
    }

    public void Heal(string a, string b)
    {
        LinkBetween(a, b).Heal();
        HealPortalPaths(ChildOf(a, b));
    }

    private string ChildOf(string a, string b) => _sites[a].Parent == b ? a : b;

    public LinkEmulator LinkBetween(string a, string b)
    {
        var child = _sites[a].Parent == b ? _sites[a] : _sites[b].Parent == a ? _sites[b] : throw new ArgumentException($"{a} and {b} are not parent and child");
        return child.Uplink ?? throw new InvalidOperationException($"{child.Name} has no uplink emulator");
    }

    /// <summary>Stops a site (as a crash would, keeping its data) and starts it again with the same options.</summary>
    public Task RestartAsync(string name, CancellationToken ct = default) => RestartAsync(name, options => options, ct);

    /// <summary>Stops a site, keeping its data, and starts it again with <paramref name="change"/> applied to its options (e.g. a parent to attach to).</summary>
    public async Task RestartAsync(string name, Func<NodeOptions, NodeOptions> change, CancellationToken ct = default)
    {
        await StopAsync(name);
        await StartAgainAsync(name, change, ct);
    }

    /// <summary>
    /// Stops a site, keeping its data and its ports, until <see cref="StartAgainAsync"/>: its children keep dialing it and
    /// its parent sees its heartbeats stop, as when its machine is switched off.
    /// </summary>
    public async Task StopAsync(string name)
    {
        var site = _sites[name];
        // Same ports again at the next start, so children (and their emulators) find the site where it was.
        Uri[] endpoints = [new(site.Node.Endpoints.Api), new(site.Node.Endpoints.Ingress), new(site.Node.Links.Self.Link!)];
        site.Options = site.Options with { ApiPort = endpoints[0].Port, IngressPort = endpoints[1].Port, LinkPort = endpoints[2].Port };
        site.IsRunning = false;
        site.Http.Dispose();
        await site.Node.DisposeAsync();
        site.HeldPorts = HeldPorts.Hold(endpoints);
    }

    /// <summary>Starts a site stopped by <see cref="StopAsync"/> on its data and ports, with <paramref name="change"/> applied to its options.</summary>
    public async Task StartAgainAsync(string name, Func<NodeOptions, NodeOptions>? change = null, CancellationToken ct = default)
    {
        var site = _sites[name];
        if (site.IsRunning)
        {
            throw new InvalidOperationException($"{name} is running; stop it first");
        }

        site.Options = change?.Invoke(site.Options) ?? site.Options;
        site.HeldPorts?.Dispose();
        site.HeldPorts = null;
        await StartSiteAsync(site, ct);
    }

    /// <summary>Waits until the uplink of every running child of a running parent is connected.</summary>
    public Task WaitConnectedAsync(TimeSpan? deadline = null) =>
        WaitUntilAsync(() => _sites.Values.All(s => s.Parent is null || !s.IsRunning || !_sites[s.Parent].IsRunning || s.Node.Links.Uplink?.IsConnected == true),
            "every uplink connected", deadline ?? TimeSpan.FromSeconds(20));

    /// <summary>Applies a YAML object at a site through its API.</summary>
    public static async Task ApplyAsync(TreeSite site, string plural, string name, string yaml)
    {
        var response = await site.Http.PutAsync($"/apis/fornax.io/v1/namespaces/default/{plural}/{name}", new StringContent(yaml, Encoding.UTF8, "application/yaml"));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"apply {plural}/{name} at {site.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static async Task<JsonObject?> GetAsync(TreeSite site, string plural, string name)
    {
        var response = await site.Http.GetAsync($"/apis/fornax.io/v1/namespaces/default/{plural}/{name}");
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync(WebJson.Default.JsonObject) : null;
    }

    /// <summary>The mission's <c>status.state</c> map at a site (empty when the mission is not there).</summary>
    public static async Task<Dictionary<string, string>> StatesAsync(TreeSite site, string mission)
    {
        var obj = await GetAsync(site, "missions", mission);
        return obj?["status"]?["state"] is JsonObject states
            ? states.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>())
            : [];
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after the deadline. The host
    /// waits only for its own links to come up; tests wait through <c>Fornax.Testing.Poll</c>, which src/ does not reference.
    /// </summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan deadline)
    {
        // A monotonic clock: the deadline must not move with the wall clock.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in Enumerable.Reverse(_order))
        {
            var site = _sites[name];
            site.Http?.Dispose();
            site.HeldPorts?.Dispose();
            if (site.Node is not null && site.IsRunning)
            {
                await site.Node.DisposeAsync();
            }
        }

        await DisposePortalPathsAsync();
        if (_ownsRoot)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
