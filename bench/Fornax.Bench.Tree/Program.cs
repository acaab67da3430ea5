using System.Diagnostics;
using System.Globalization;
using Fornax.Core.Objects;
using Fornax.Store;
using Fornax.Node.Trees;
using Microsoft.Extensions.DependencyInjection;

// Tree propagation: N real SiteNodes in one process (Fornax.Node.Trees.TreeHost: each its own store, Kestrel listeners,
// mutual-TLS link through a link emulator), fan-out F. Applies one mission at the root that selects the edge sites
// and measures the time until every selected site is Active at the root and the root's state map has every path.
//
// Idle cost (CPU, threads, file descriptors) is sampled over `idle` once the tree has settled. Up to `starting` sites
// whose parents are up start at once.
//
//   dotnet bench/Fornax.Bench.Tree/bin/Release/net10.0/linux-x64/Fornax.Bench.Tree.dll [sites=111] [fanout=10] [heartbeat=5s] [rounds=3] [idle=4 heartbeats] [starting=8]
var sites = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 111;
var fanout = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
var heartbeat = args.Length > 2 ? Seconds(args[2]) : TimeSpan.FromSeconds(5);
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
var idle = args.Length > 4 ? Seconds(args[4]) : heartbeat * 4;
var starting = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 8;

// Every SiteNode's host would watch its appsettings files: one inotify instance per site, and Linux allows 128 per
// user by default. One site per process (fornax up) needs one; a thousand in one process must not.
Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");

var topology = Build(sites, fanout);
var edges = topology.Spec.Sites!.Count(s => s.Tier == SiteTiers.Edge);
Console.WriteLine($"tree: {sites} sites, fan-out {fanout}, {Depth(topology)} levels, {edges} edge sites; heartbeat {heartbeat.TotalSeconds:0.###}s; {Environment.ProcessorCount} cores; pid {Environment.ProcessId}");

var gcBefore = GC.GetTotalMemory(forceFullCollection: true);
var rssBefore = Process.GetCurrentProcess().WorkingSet64;
var start = Stopwatch.StartNew();
await using var tree = await TreeHost.StartAsync(topology, new TreeHostOptions { HeartbeatInterval = heartbeat, LogLevel = Microsoft.Extensions.Logging.LogLevel.Error, StartConcurrency = starting });
var startup = start.Elapsed;
Console.WriteLine($"started in {startup.TotalSeconds:0.0}s ({startup.TotalMilliseconds / sites:0} ms/site, up to {starting} at once)");
var root = tree[topology.Spec.Sites![0].Name];
// Let the first heartbeats settle, so the measurement sees propagation and not join traffic.
await Task.Delay(heartbeat * 2);
var gcAfter = GC.GetTotalMemory(forceFullCollection: true);
using (var self = Process.GetCurrentProcess())
{
    var rss = self.WorkingSet64;
    Console.WriteLine($"memory per site: GC heap {(gcAfter - gcBefore) / (double)sites / 1024 / 1024:0.00} MiB, RSS {(rss - rssBefore) / (double)sites / 1024 / 1024:0.00} MiB (RSS total {rss / 1024.0 / 1024:0} MiB, threads {self.Threads.Count})");
}

// Idle cost of the settled tree: CPU time the whole process used over the window, as a share of one core.
await IdleAsync("idle");

var results = new List<(double Active, double Complete)>();
// What a round writes: the versions each store took (one per object write), and the commits (group commits) and how many
// of them fsynced.
var stores = tree.Sites.Values.Select(s => s.Node.Services.GetRequiredService<IObjectStore>()).ToList();
var rootStore = root.Node.Services.GetRequiredService<IObjectStore>();
(long Root, long All, long Commits, long Synced) Writes() =>
    (rootStore.ResourceVersion, stores.Sum(s => s.ResourceVersion), stores.Sum(s => s.CommitCounts.Commits), stores.Sum(s => s.CommitCounts.SyncedCommits));
for (var round = 1; round <= rounds; round++)
{
    var name = $"edges-{round}";
    var yaml = $$"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: {{name}}}
        spec:
          placement:
            selector:
              matchLabels: {fornax.io/tier: edge}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: {{name}}}
              data: {round: "{{round}}"}
        """;
    var writes = Writes();
    var cost = RoundCost.Start();
    var clock = Stopwatch.StartNew();
    await TreeHost.ApplyAsync(root, "missions", name, yaml);
    double? allActive = null;
    while (true)
    {
        var states = await TreeHost.StatesAsync(root, name);
        var active = states.Values.Count(s => s == MissionStates.Active);
        if (allActive is null && active == edges)
        {
            allActive = clock.Elapsed.TotalSeconds;
        }

        if (states.Count == sites && active == edges)
        {
            results.Add((allActive!.Value, clock.Elapsed.TotalSeconds));
            Console.WriteLine($"round {round}: all {edges} edge sites Active at the root after {allActive:0.000}s; state map complete ({sites} paths) after {clock.Elapsed.TotalSeconds:0.000}s");
            var after = Writes();
            Console.WriteLine($"  writes: root store +{after.Root - writes.Root} versions; all stores +{after.All - writes.All} versions in {after.Commits - writes.Commits} commits, {after.Synced - writes.Synced} fsynced");
            Console.WriteLine($"  cost: {cost.Describe(clock.Elapsed)}");
            break;
        }

        if (clock.Elapsed > TimeSpan.FromMinutes(2))
        {
            Console.WriteLine($"round {round}: gave up after 2 min: {states.Count}/{sites} paths, {active}/{edges} Active");
            return 1;
        }

        await Task.Delay(10);
    }
}

Console.WriteLine($"median: Active {Median(results.Select(r => r.Active)):0.000}s, complete {Median(results.Select(r => r.Complete)):0.000}s");

// What counting its missions by listing them costs the root now (each mission's state map has a path per site): what
// every heartbeat and every pruner pass paid at each site before the counts were cached (Downlinks.OwnMissionCountsAsync).
var listing = Stopwatch.StartNew();
for (var i = 0; i < 5; i++)
{
    var listed = await rootStore.ListAsync("Mission", null);
    _ = Fornax.Hierarchy.Links.SiteObjects.Counts(listed.Items, root.Node.Links.Self.Path);
}

Console.WriteLine($"root: listing and counting its {rounds} missions takes {listing.Elapsed.TotalMilliseconds / 5:0.0} ms");

// The same once the tree holds the rounds' missions (every site counts them for its heartbeat).
await Task.Delay(heartbeat * 2);
await IdleAsync($"idle with {rounds} missions");
return 0;

async Task IdleAsync(string what)
{
    using var self = Process.GetCurrentProcess();
    var cpuBefore = self.TotalProcessorTime;
    var window = Stopwatch.StartNew();
    await Task.Delay(idle);
    self.Refresh();
    var share = (self.TotalProcessorTime - cpuBefore) / window.Elapsed;
    var fds = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;
    Console.WriteLine($"{what} over {window.Elapsed.TotalSeconds:0}s: {share * 100:0.0} % of a core ({share * 100 / sites:0.000} % per site), threads {self.Threads.Count}, fds {fds} ({fds / (double)sites:0.0} per site)");
}

static TimeSpan Seconds(string value) => TimeSpan.FromSeconds(double.Parse(value.TrimEnd('s'), CultureInfo.InvariantCulture));

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToList();
    return sorted[sorted.Count / 2];
}

static Topology Build(int count, int fanout)
{
    var list = new List<TopologySite> { new() { Name = "root", Tier = SiteTiers.Cloud } };
    // Breadth first: each site takes up to `fanout` children until `count` sites exist.
    for (var parent = 0; list.Count < count; parent++)
    {
        for (var i = 0; i < fanout && list.Count < count; i++)
        {
            list.Add(new TopologySite { Name = $"{list[parent].Name}-{i}", Parent = list[parent].Name });
        }
    }

    var parents = list.Where(s => s.Parent is not null).Select(s => s.Parent!).ToHashSet();
    foreach (var site in list.Skip(1))
    {
        site.Tier = parents.Contains(site.Name) ? SiteTiers.Region : SiteTiers.Edge;
    }

    return new Topology { Metadata = new ObjectMeta { Name = "bench" }, Spec = new TopologySpec { Sites = list } };
}

static int Depth(Topology topology)
{
    var parentOf = topology.Spec.Sites!.ToDictionary(s => s.Name, s => s.Parent);
    return topology.Spec.Sites!.Max(s =>
    {
        var depth = 1;
        for (var p = s.Parent; p is not null; p = parentOf[p])
        {
            depth++;
        }

        return depth;
    });
}
