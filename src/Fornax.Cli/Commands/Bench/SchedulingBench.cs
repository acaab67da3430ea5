using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Fornax.Cli.Commands.Demo;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Trees;
using Spectre.Console;

namespace Fornax.Cli.Commands.Bench;

/// <summary>
/// The scheduling bench: a three-tier tree in this process (emulated WAN links, small edge sites), two functions
/// deployed everywhere once per policy (<c>wait</c>, stateless, holding its slot for <see cref="WaitMs"/> ms without
/// using a core; <c>visits</c>, stateful, a KV counter), then one edge site driven at three times its capacity with an
/// even mix of both, for each policy in turn.
/// </summary>
internal sealed class SchedulingBench(CliContext context, TimeSpan duration)
{
    /// <summary>The edge site the load arrives at.</summary>
    public const string Edge = "east-1";

    /// <summary>Its concurrency slots: small, as an edge site's are.</summary>
    public const int EdgeCapacity = 2;

    /// <summary>How long the stateless function waits: long against the links' round trips, as a call worth spilling is.</summary>
    public const int WaitMs = 100;

    /// <summary>The offered load as a multiple of the edge site's capacity.</summary>
    public const double Overload = 3.0;

    /// <summary>Driven but not counted before each policy's run: a tenth of it, at most 5 s.</summary>
    private TimeSpan WarmUp => TimeSpan.FromTicks(Math.Min(duration.Ticks / 10, TimeSpan.FromSeconds(5).Ticks));

    public static readonly string[] Policies = [FunctionSchedulingPolicies.Local, FunctionSchedulingPolicies.Spill, FunctionSchedulingPolicies.Cloud];

    /// <summary>The offered load, requests per second (set once the service times are measured).</summary>
    public double Rate { get; private set; }

    /// <summary>The mix's mean service time at the edge site, measured before the runs.</summary>
    public TimeSpan MeanService { get; private set; }

    public Topology Topology { get; } = (Topology)ObjectSerializer.ParseDocuments("""
        apiVersion: fornax.io/v1
        kind: Topology
        metadata: {name: scheduling-bench}
        spec:
          sites:
            - {name: cloud, tier: cloud, capacity: 16}
            - {name: east, parent: cloud, tier: region, capacity: 8, link: {latency: 35ms, bandwidth: 100Mbit}}
            - {name: west, parent: cloud, tier: region, capacity: 8, link: {latency: 40ms, bandwidth: 100Mbit}}
            - {name: east-1, parent: east, tier: edge, capacity: 2, link: {latency: 8ms, bandwidth: 50Mbit}}
            - {name: east-2, parent: east, tier: edge, capacity: 2, link: {latency: 15ms, bandwidth: 20Mbit}}
            - {name: west-1, parent: west, tier: edge, capacity: 2, link: {latency: 5ms, bandwidth: 50Mbit}}
            - {name: west-2, parent: west, tier: edge, capacity: 2, link: {latency: 12ms, bandwidth: 30Mbit}}
        """)[0];

    public async Task<Dictionary<string, PolicyResult>> RunAsync(ProgressContext? progress, CancellationToken ct)
    {
        // Seven sites share this process's thread pool, and a waiting guest holds a pool thread for its whole wait (the
        // sleep is inside the Wasm host call): room for every slot of the tree, as seven machines would each have.
        var slots = Topology.Spec.Sites!.Sum(s => s.Capacity ?? 0);
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount + slots), io);

        var setup = progress?.AddTask("start the tree and deploy", maxValue: 3);
        await using var tree = await TreeHost.StartAsync(Topology, new TreeHostOptions
        {
            // As fornax demo's. Load figures go stale after six heartbeats (SchedulingHostingExtensions), and a shorter
            // interval let a busy machine's late heartbeats make every spill target stale within a run, so the edge site
            // kept its overflow (docs/benchmarks.md).
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            LogLevel = Microsoft.Extensions.Logging.LogLevel.None,
            TimeProvider = context.Time,
            StartConcurrency = 3,
        }, ct);
        setup?.Increment(1);
        await DeployAsync(tree, ct);
        setup?.Increment(1);

        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(tree[Edge].Node.Endpoints.Ingress),
            Timeout = TimeSpan.FromSeconds(30),
        };
        MeanService = await MeasureServiceAsync(client, ct);
        Rate = Overload * EdgeCapacity / MeanService.TotalSeconds;
        setup?.Increment(1);

        var results = new Dictionary<string, PolicyResult>(StringComparer.Ordinal);
        foreach (var policy in Policies)
        {
            var task = progress?.AddTask($"policy {policy}", maxValue: (WarmUp + duration).TotalSeconds);
            var driver = new OpenLoopDriver(client, context.Time, Rate, seed: 15);
            results[policy] = await driver.RunAsync(i => Request(policy, i), WarmUp, duration, elapsed => task?.Value = elapsed.TotalSeconds, ct);
        }

        return results;
    }

    /// <summary>The i-th request of a run: wait and visits alternate (a fixed even mix; the order is the driver's seeded draw).</summary>
    private static HttpRequestMessage Request(string policy, bool stateful) => stateful
        ? new HttpRequestMessage(HttpMethod.Get, $"/fn/visits-{policy}")
        : new HttpRequestMessage(HttpMethod.Post, $"/fn/wait-{policy}") { Content = new StringContent(WaitMs.ToString(System.Globalization.CultureInfo.InvariantCulture)) };

    /// <summary>The mean service time of the mix at the edge site: a few calls of each, one at a time, with the local policy (the guest's time, from Server-Timing).</summary>
    private static async Task<TimeSpan> MeasureServiceAsync(HttpClient client, CancellationToken ct)
    {
        var total = 0.0;
        const int Rounds = 5;
        for (var i = 0; i < Rounds; i++)
        {
            foreach (var stateful in new[] { false, true })
            {
                using var response = await client.SendAsync(Request(Policies[0], stateful), ct);
                if (!response.IsSuccessStatusCode)
                {
                    throw new CliException($"bench: {(stateful ? "visits" : "wait")} answered {(int)response.StatusCode} at {Edge}: {await response.Content.ReadAsStringAsync(ct)}");
                }

                total += ServerTimingMs(response);
            }
        }

        return TimeSpan.FromMilliseconds(total / (2 * Rounds));
    }

    private static double ServerTimingMs(HttpResponseMessage response)
    {
        var header = response.Headers.TryGetValues("Server-Timing", out var values) ? values.First() : "";
        var at = header.IndexOf("dur=", StringComparison.Ordinal);
        return at >= 0 && double.TryParse(header[(at + 4)..], System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : 0;
    }

    /// <summary>Both functions, once per policy, at every site (the keyspace too), by one mission from the root; waits until every site has it and the edge site knows where each runs and how loaded every site is.</summary>
    private async Task DeployAsync(TreeHost tree, CancellationToken ct)
    {
        var cloud = tree["cloud"];
        var digests = new Dictionary<string, string>();
        foreach (var (name, file) in new[] { ("wait", Path.Combine("examples", "functions", "testing", "wait.wasm")), ("visits", Path.Combine("examples", "functions", "visits", "visits.wasm")) })
        {
            var path = ExampleFiles.Find(file, context.CurrentDirectory, AppContext.BaseDirectory)
                ?? throw new CliException($"bench: {file} not found above the current directory or the fornax binary");
            var bytes = await File.ReadAllBytesAsync(path, ct);
            digests[name] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            using var upload = new ByteArrayContent(bytes);
            upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/wasm");
            (await cloud.Http.PutAsync($"/blobs/{digests[name]}", upload, ct)).EnsureSuccessStatusCode();
        }

        var functions = string.Concat(Policies.Select(policy => $$$"""

                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: wait-{{{policy}}}}
                  spec: {module: "{{{digests["wait"]}}}", abi: raw, scheduling: {policy: {{{policy}}}}, limits: {timeout: 10s}}
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: visits-{{{policy}}}}
                  spec: {module: "{{{digests["visits"]}}}", scheduling: {policy: {{{policy}}}}, state: {keyspaces: [visits], access: readwrite}}
            """));
        await TreeHost.ApplyAsync(cloud, "missions", "scheduling-bench", $$"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: scheduling-bench}
            spec:
              placement: {sites: [{{string.Join(", ", tree.Sites.Keys)}}]}
              content:
                - apiVersion: fornax.io/v1
                  kind: Keyspace
                  metadata: {name: visits}
                  spec: {prefix: "visits:"}{{functions}}
            """);
        var paths = tree.Sites.Values.Select(s => s.Path).ToList();
        await WaitAsync(async () =>
        {
            var states = await TreeHost.StatesAsync(cloud, "scheduling-bench");
            return paths.All(p => states.GetValueOrDefault(p) == MissionStates.Active);
        }, "the bench's functions to be Active at every site", ct);
        await WaitAsync(() => KnowsAsync(tree[Edge], paths), $"{Edge} to know where the functions run and every site's load", ct);
    }

    /// <summary>Whether the site's load board lists every site (<c>GET /api/load</c>) and its portal map shows every function healthy at every site (<c>GET /api/services</c>).</summary>
    private static async Task<bool> KnowsAsync(TreeSite site, List<string> paths)
    {
        var load = await site.Http.GetFromJsonAsync("/api/load", WebJson.Default.JsonObject);
        var known = load!["sites"]!.AsArray().Select(s => s!["path"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var services = (await site.Http.GetFromJsonAsync("/api/services", WebJson.Default.JsonObject))!["services"]!.AsArray()
            .ToDictionary(s => s!["name"]!.GetValue<string>(), s => s!["backends"]!.AsArray()
                .Where(b => b!["healthy"]!.GetValue<bool>()).Select(b => b!["site"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal));
        return paths.All(known.Contains)
            && Policies.SelectMany(p => new[] { $"wait-{p}", $"visits-{p}" }).All(f => services.TryGetValue(f, out var at) && paths.All(at.Contains));
    }

    private Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken ct) =>
        ConditionWait.UntilAsync(context.Time, condition, "bench", what, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), ct);
}
