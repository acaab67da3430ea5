using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fornax.Core.Objects;
using Fornax.Kv.Engine;
using Fornax.Node.Trees;
using Microsoft.Extensions.DependencyInjection;

// KV convergence after a cut: a cloud site and three edge replicas (a, b, c) of one keyspace, in one process (TreeHost:
// real sites, mutual-TLS links through link emulators). The link cloud–a is cut; `keys` distinct keys are written,
// each at one of the three replicas in turn (SET, `value` bytes); the link is healed. Measures the time from the heal
// until every replica returns identical values for every key, and the bytes the link emulators carried (both ways,
// every link) from the first write until then, against the payload (key + value bytes written).
//
//   dotnet bench/Fornax.Bench.Kv/bin/Release/net10.0/linux-x64/Fornax.Bench.Kv.dll [keys=100000] [value=32] [give up after seconds=120]
var keys = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var valueBytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var limit = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 120);
Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");

string[] replicas = ["a", "b", "c"];
var topology = new Topology
{
    Metadata = new ObjectMeta { Name = "kv-convergence" },
    Spec = new TopologySpec
    {
        Sites = [new TopologySite { Name = "cloud", Tier = SiteTiers.Cloud }, .. replicas.Select(r => new TopologySite { Name = r, Parent = "cloud", Tier = SiteTiers.Edge })],
    },
};
await using var tree = await TreeHost.StartAsync(topology, new TreeHostOptions { LogLevel = Microsoft.Extensions.Logging.LogLevel.Error });
await tree.WaitConnectedAsync();
await TreeHost.ApplyAsync(tree["cloud"], "missions", "bench", """
    apiVersion: fornax.io/v1
    kind: Mission
    metadata: {name: bench}
    spec:
      content:
        - apiVersion: fornax.io/v1
          kind: Keyspace
          metadata: {name: bench}
          spec:
            prefix: "bench:"
            placement: {sites: [a, b, c]}
    """);
IKvStore Store(string site) => tree[site].Node.Services.GetRequiredService<IKvStore>();
void Set(string site, byte[] key, byte[] value) => Store(site).Execute((key, value), static (tx, kv) => { tx.SetString(kv.key, kv.value, null, false); return 0; }, out _);
byte[]? Get(string site, byte[] key)
{
    Store(site).Execute(key, static (tx, k) => tx.TryGetString(k, out var v) ? v.ToArray() : null, out var value);
    return value;
}

// The keyspace is up when a probe written at a reaches c.
var probe = "bench:probe"u8.ToArray();
var deadline = Stopwatch.StartNew();
while (true)
{
    Set("a", probe, "1"u8.ToArray());
    if (Get("c", probe) is { } p && p.AsSpan().SequenceEqual("1"u8))
    {
        break;
    }

    if (deadline.Elapsed > TimeSpan.FromSeconds(60))
    {
        throw new TimeoutException("the keyspace did not replicate from a to c within 60 s");
    }

    await Task.Delay(50);
}

await Task.Delay(TimeSpan.FromSeconds(2)); // acknowledgements of the probe settle
var links = replicas.Select(r => tree.LinkBetween("cloud", r)).ToList();
long LinkBytes() => links.Sum(l => l.BytesUp + l.BytesDown);
var bytesBefore = LinkBytes();
tree.Cut("cloud", "a");
var keyBytes = new byte[keys][];
var valueOf = new byte[keys][];
long payload = 0;
var random = new Random(42);
var write = Stopwatch.StartNew();
for (var i = 0; i < keys; i++)
{
    keyBytes[i] = Encoding.ASCII.GetBytes($"bench:{i:D7}");
    valueOf[i] = new byte[valueBytes];
    random.NextBytes(valueOf[i]);
    Set(replicas[i % replicas.Length], keyBytes[i], valueOf[i]);
    payload += keyBytes[i].Length + valueBytes;
}

Console.WriteLine($"wrote {keys:N0} keys ({payload:N0} payload bytes) across {replicas.Length} replicas during the cut in {write.Elapsed.TotalSeconds:0.00}s; load average {File.ReadAllText("/proc/loadavg")[..14]}");
var heal = Stopwatch.StartNew();
tree.Heal("cloud", "a");
// When a's uplink is back (the rest of the time is replication): a cheap read, polled apart from the loop below.
var linkUp = Task.Run(async () =>
{
    while (tree["a"].Node.Links.Uplink?.IsConnected != true && heal.Elapsed < limit)
    {
        await Task.Delay(5);
    }

    return heal.Elapsed;
});
TimeSpan? drained = null;
while (true)
{
    // Count is one read; Stats (every key and the change log, under the store's lock) only once the counts match.
    if (drained is null && replicas.All(s => Store(s).Count == keys + 1) && replicas.Append("cloud").All(s => Store(s).Stats.Peers.All(p => p.PendingKeys == 0)))
    {
        drained = heal.Elapsed;
    }

    if (drained is not null && Identical())
    {
        break;
    }

    if (heal.Elapsed > limit)
    {
        Console.WriteLine($"NOT CONVERGED {limit.TotalSeconds:0}s after the heal:");
        foreach (var site in replicas.Append("cloud"))
        {
            var stats = Store(site).Stats;
            var missing = replicas.Contains(site) ? Enumerable.Range(0, keys).Count(i => Get(site, keyBytes[i]) is not { } v || !v.AsSpan().SequenceEqual(valueOf[i])) : -1;
            Console.WriteLine($"  {site}: keys {stats.Keys:N0}, differing {missing:N0}, peers {string.Join(", ", stats.Peers.Select(p => $"{p.Site} connected={p.Connected} pending={p.PendingKeys} lag={p.Lag.TotalSeconds:0}s"))}");
        }

        return 1;
    }

    // Stats walks every key and the change log under the store's lock: polled often, it would slow replication itself.
    await Task.Delay(100);
}

var converged = heal.Elapsed;
var linkBytes = LinkBytes() - bytesBefore;
// Each key crosses 3 links: up from its writer to the cloud, down from the cloud to each of the two other replicas.
Console.WriteLine($"heal → a's link up: {(await linkUp).TotalSeconds:0.000}s; heal → no change pending anywhere: {drained!.Value.TotalSeconds:0.000}s; heal → every replica returns identical values for all {keys:N0} keys: {converged.TotalSeconds:0.000}s (target ≤ 2 s)");
Console.WriteLine($"link bytes (all links, both ways, from the first write to convergence): {linkBytes:N0}; payload: {payload:N0}; ratio {(double)linkBytes / payload:0.00}× (target ≤ 2×); per link crossing (each key crosses 3 links): {(double)linkBytes / (payload * 3):0.00}×");
Console.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg")[..14]}");
return 0;

bool Identical()
{
    for (var i = 0; i < keys; i++)
    {
        foreach (var site in replicas)
        {
            if (Get(site, keyBytes[i]) is not { } v || !v.AsSpan().SequenceEqual(valueOf[i]))
            {
                return false;
            }
        }
    }

    return true;
}
