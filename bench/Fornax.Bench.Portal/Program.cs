using System.Globalization;
using System.Net;
using Fornax.Bench.Portal;
using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

// Fornax.Bench.Portal [-c 32] [-d 10s] [-n 2000] [-r 3]
//   One process: a tree root r with edge sites e1 and e2 (no emulated latency), a bare Kestrel backend at e2 served as
//   the Service "bench"; the same GET straight to the backend and through both portals (e1's ingress /svc/..., then
//   e2's portal over the link port), measured in the same run: p50/p99 latency, throughput, new connections per second.
//   -r rounds alternate which path goes first and each figure is the median of its rounds: on a shared machine the load
//   moves within a run, and a path measured always first or always second would carry that drift alone.
var concurrency = Arg("-c", 32);
var duration = TimeSpan.FromSeconds(Arg("-d", 10));
var samples = Arg("-n", 2000);
var rounds = Arg("-r", 3);

var backend = WebApplication.CreateSlimBuilder();
// No request log: the baseline must not pay for console writes the portals do not make.
backend.Logging.ClearProviders();
backend.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
await using var bare = backend.Build();
bare.MapGet("/{**rest}", () => "hello from the backend\n");
await bare.StartAsync();
var backendAddress = bare.Urls.First().Replace("http://", "", StringComparison.Ordinal);

await using var tree = await TreeHost.StartAsync(new Topology
{
    Metadata = new ObjectMeta { Name = "bench" },
    Spec = new TopologySpec
    {
        Sites =
        [
            new TopologySite { Name = "r", Tier = SiteTiers.Cloud },
            new TopologySite { Name = "e1", Parent = "r", Tier = SiteTiers.Edge },
            new TopologySite { Name = "e2", Parent = "r", Tier = SiteTiers.Edge },
        ],
    },
}, new TreeHostOptions { LogLevel = LogLevel.Warning });
await tree.WaitConnectedAsync();
await TreeHost.ApplyAsync(tree["e2"], "services", "bench",
    $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: bench}}\nspec:\n  backends:\n    - {{site: e2, address: \"{backendAddress}\"}}\n");

var direct = new Uri($"http://{backendAddress}/item");
var portal = new Uri(tree["e1"].Node.Endpoints.Ingress + "/svc/default/bench/item");
using (var probe = new HttpClient())
{
    var until = DateTime.UtcNow.AddSeconds(30);
    while (!(await probe.GetAsync(portal)).IsSuccessStatusCode)
    {
        if (DateTime.UtcNow > until)
        {
            throw new TimeoutException("e1 never learned that e2 serves bench");
        }

        await Task.Delay(100);
    }
}

Console.WriteLine($"portal bench: {Environment.ProcessorCount} cores, -c {concurrency}, -d {duration.TotalSeconds:0}s, -n {samples}, -r {rounds}, load average before {LoadAverage()}");
// Warm both (JIT, tiering, pooled connections) before measuring.
foreach (var url in new[] { direct, portal })
{
    await Load.LatencyAsync(url, 500);
    await Load.ThroughputAsync(url, concurrency, TimeSpan.FromSeconds(3));
    await Load.ConnectionsAsync(url, concurrency, TimeSpan.FromSeconds(2));
}

var paths = new[] { ("direct to the backend", direct), ("e1 portal → e2 portal → backend", portal) };
var measured = paths.ToDictionary(p => p.Item1, _ => new List<(double P50, double P99, double Rps, double Cps)>());
for (var round = 0; round < rounds; round++)
{
    foreach (var (name, url) in round % 2 == 0 ? paths : paths.Reverse())
    {
        var (p50, p99) = await Load.LatencyAsync(url, samples);
        var rps = await Load.ThroughputAsync(url, concurrency, duration);
        var cps = await Load.ConnectionsAsync(url, concurrency, duration);
        measured[name].Add((p50, p99, rps, cps));
    }
}

var results = measured.ToDictionary(m => m.Key, m => (P50: Median(m.Value.Select(r => r.P50)),
    P99: Median(m.Value.Select(r => r.P99)), Rps: Median(m.Value.Select(r => r.Rps)), Cps: Median(m.Value.Select(r => r.Cps))));

Console.WriteLine();
Console.WriteLine($"Medians of {rounds} rounds:");
Console.WriteLine("| path | p50 (ms) | p99 (ms) | req/s (kept-alive) | new connections/s |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach (var (name, r) in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {r.P50:0.000} | {r.P99:0.000} | {r.Rps:0} | {r.Cps:0} |"));
}

var (d, p) = (results.Values.First(), results.Values.Last());
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"p50 portal/direct: {p.P50 / d.P50:0.00}× (target ≤ 2×), added {p.P50 - d.P50:0.000} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput portal/direct: {p.Rps / d.Rps:0.00} (target ≥ 0.7)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"new connections/s portal/direct: {p.Cps / d.Cps:0.00} (target ≥ 0.5)"));
Console.WriteLine($"load average after: {LoadAverage()}");

int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
