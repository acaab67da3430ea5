using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Cli.Tests.Release;
using Fornax.Node.Hosting;
using Fornax.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Fornax.Cli.Tests;

/// <summary>
/// Replicating KV sites (real `fornax node run` processes) killed with SIGKILL and started again on their data: each site
/// of a chain while StackExchange.Redis clients write — what was acknowledged must survive every kill and reach the other
/// replica; what a kill cut short may or may not have happened, but atomically and the same at both —, and either side of
/// a catch-up, which must then finish.
/// </summary>
public sealed class KvKillTests(ITestOutputHelper output) : IDisposable
{
    private const int AckedBeforeKill = 300;
    private const int AckedWhileDown = 100;
    private readonly TempDirectory _temp = new("fornax-kv-kill-");

    private string Root => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task EachSiteOfAChain_KilledMidWrite_EveryAcknowledgedWriteSurvives_AndTheReplicasAgree()
    {
        // a → r → c, the keyspace at a and c only: r relays it (and keeps what it relays on its disk).
        var data = new[] { "a", "r", "c" }.ToDictionary(name => name, name => Directory.CreateDirectory(Path.Combine(Root, name)).FullName);
        // Every port free-picked: a restarted parent listens on the link port it had (DATA/link-port), which its child dials.
        string[] common = ["--durability", "always", "--heartbeat", "300ms"];
        var arguments = new Dictionary<string, string[]>
        {
            ["a"] = [.. common, "--name", "a"],
            ["r"] = [.. common, "--name", "r"],
            ["c"] = [.. common, "--name", "c"],
        };
        var sites = new Dictionary<string, SiteProcess>();
        try
        {
            sites["a"] = SiteProcess.StartBuilt(data["a"], arguments["a"]);
            var a = await sites["a"].WaitUntilReadyAsync();
            sites["r"] = SiteProcess.StartBuilt(data["r"], [.. arguments["r"], .. await JoinAsync(a, "r")]);
            var r = await sites["r"].WaitUntilReadyAsync();
            await UplinkConnectedAsync(r);
            sites["c"] = SiteProcess.StartBuilt(data["c"], [.. arguments["c"], .. await JoinAsync(r, "c")]);
            var c = await sites["c"].WaitUntilReadyAsync();
            await ApplyKeyspaceAsync(a.Api);
            await ReplicatingAsync(c, a);

            var writes = new Writes();
            // The edge dies mid-write while the root takes writes; then the relay, while both replicas take writes on
            // their own; then the root, while the edge writes.
            c = await KillAndRestartAsync(sites, data, arguments, c, [a], writes);
            r = await KillAndRestartAsync(sites, data, arguments, r, [a, c], writes);
            a = await KillAndRestartAsync(sites, data, arguments, a, [c], writes);

            output.WriteLine($"{writes.Acked.Count} writes acknowledged, {writes.Attempted.Count} attempted");
            var (count, members) = await ConvergedAsync(a, c);
            var lost = writes.Acked.Except(members).ToList();
            Assert.True(lost.Count == 0, $"acknowledged, then lost: {string.Join(", ", lost.Take(20))}");
            var invented = members.Except(writes.Attempted).ToList();
            Assert.True(invented.Count == 0, $"present, never written: {string.Join(", ", invented.Take(20))}");
            // Each write was one MULTI/EXEC of INCR and SADD: the counter and the set move together or not at all.
            Assert.Equal(members.Count, count);
        }
        finally
        {
            foreach (var site in sites.Values)
            {
                await site.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// A catch-up cut by a kill of either side (<paramref name="killed"/>) is finished once the site is started again:
    /// of a new replica (nothing acknowledged yet, <paramref name="placedLater"/> false), or of one already replicating
    /// another keyspace when a keyspace of 60,000 keys is placed at it (its neighbour knows it acknowledged changes; only
    /// the catch-up owed, kept on disk, says that it lacks these keys).
    /// </summary>
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(false, "c")]
    [InlineData(true, "c")]
    [InlineData(true, "a")]
    public async Task ACatchUpCutByAKill_IsFinishedOnceTheSiteIsStartedAgain(bool placedLater, string killed)
    {
        const int Keys = 60_000;
        var dataA = Directory.CreateDirectory(Path.Combine(Root, "a")).FullName;
        var dataC = Directory.CreateDirectory(Path.Combine(Root, "c")).FullName;
        string[] root = ["--heartbeat", "300ms", "--name", "a"];
        // A narrow uplink, so the catch-up takes seconds and the kill lands in it.
        string[] edge = ["--heartbeat", "300ms", "--name", "c", "--uplink-bandwidth", "8Mbit"];
        var value = new string('v', 40);
        var a = SiteProcess.StartBuilt(dataA, root);
        var atA = await a.WaitUntilReadyAsync();
        await ApplyKeyspaceAsync(atA.Api, "carts", "cart:");
        await using (var writer = await ConnectAsync(atA))
        {
            var db = writer.GetDatabase();
            for (var first = 0; first < Keys; first += 1000)
            {
                await Task.WhenAll(Enumerable.Range(first, 1000).Select(i => db.StringSetAsync($"stock:{i}", $"{value}{i}")));
            }
        }

        if (!placedLater)
        {
            await ApplyKeyspaceAsync(atA.Api, "stock", "stock:");
        }

        var c = SiteProcess.StartBuilt(dataC, [.. edge, .. await JoinAsync(atA, "c")]);
        try
        {
            var atC = await c.WaitUntilReadyAsync();
            if (placedLater)
            {
                await ReplicatingAsync(atA, atC);
                await ReplicatingAsync(atC, atA);
                await ApplyKeyspaceAsync(atA.Api, "stock", "stock:");
            }

            long heldAtKill = 0;
            await using (var reader = await ConnectAsync(atC))
            {
                var server = reader.GetServers()[0];
                await Poll.UntilAsync(async () => (heldAtKill = await StockKeysAsync(server)) >= Keys / 10, "c to hold a tenth of the stock keys", TimeSpan.FromSeconds(60));
            }

            output.WriteLine($"{killed} killed with c holding {heldAtKill} of {Keys} keys");
            if (killed == "c")
            {
                await c.DisposeAsync();
                c = SiteProcess.StartBuilt(dataC, edge);
                atC = await c.WaitUntilReadyAsync();
            }
            else
            {
                await a.DisposeAsync();
                a = SiteProcess.StartBuilt(dataA, root);
                await a.WaitUntilReadyAsync();
            }

            Assert.True(heldAtKill < Keys, $"the catch-up was over before the kill ({heldAtKill} keys)");

            await using var atTheEnd = await ConnectAsync(atC);
            var edgeServer = atTheEnd.GetServers()[0];
            long held = 0;
            await Poll.UntilAsync(async () => (held = await StockKeysAsync(edgeServer)) == Keys, $"c to hold all {Keys} stock keys", TimeSpan.FromSeconds(120), () => Task.FromResult($"{held} held"));
            var edgeDb = atTheEnd.GetDatabase();
            foreach (var i in new[] { 0, 1, Keys / 2, Keys - 1 })
            {
                Assert.Equal($"{value}{i}", (string?)await edgeDb.StringGetAsync($"stock:{i}"));
            }
        }
        finally
        {
            await c.DisposeAsync();
            await a.DisposeAsync();
        }
    }

    /// <summary>The keys a site holds but the replication probe's <c>cart:probe</c>.</summary>
    private static async Task<long> StockKeysAsync(IServer server) =>
        await server.DatabaseSizeAsync() - (await server.Multiplexer.GetDatabase().KeyExistsAsync("cart:probe") ? 1 : 0);

    /// <summary>
    /// Writes at <paramref name="killed"/> (when it holds a replica) and at <paramref name="living"/> until
    /// <see cref="AckedBeforeKill"/> were acknowledged, kills it with SIGKILL, writes at <paramref name="living"/> for
    /// <see cref="AckedWhileDown"/> more, then starts it again on its data.
    /// </summary>
    private async Task<SiteEndpointsInfo> KillAndRestartAsync(
        Dictionary<string, SiteProcess> sites, Dictionary<string, string> data, Dictionary<string, string[]> arguments, SiteEndpointsInfo killed, SiteEndpointsInfo[] living, Writes writes)
    {
        var replica = killed.Name != "r";
        var connections = new List<ConnectionMultiplexer>();
        try
        {
            using var stop = new CancellationTokenSource();
            var before = writes.Acked.Count;
            var atKilled = Task.CompletedTask;
            if (replica)
            {
                connections.Add(await ConnectAsync(killed));
                atKilled = WriteAsync(connections[^1].GetDatabase(), killed.Name, writes, loops: 4, stop.Token);
            }

            var atLiving = new List<Task>();
            foreach (var site in living)
            {
                connections.Add(await ConnectAsync(site));
                atLiving.Add(WriteAsync(connections[^1].GetDatabase(), site.Name, writes, loops: 2, stop.Token));
            }

            await Poll.UntilAsync(() => writes.Acked.Count - before >= AckedBeforeKill, $"{AckedBeforeKill} writes acknowledged before {killed.Name}'s kill", TimeSpan.FromSeconds(60));
            await sites[killed.Name].KillAsync();
            await atKilled; // its writers stop at their first failure
            var whileDown = writes.Acked.Count;
            await Poll.UntilAsync(() => writes.Acked.Count - whileDown >= AckedWhileDown, $"{AckedWhileDown} writes acknowledged while {killed.Name} is down", TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await Task.WhenAll(atLiving);
            output.WriteLine($"{killed.Name} killed after {writes.AckedAt(killed.Name)} writes acknowledged there in all");
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }

        await sites[killed.Name].DisposeAsync();
        sites[killed.Name] = SiteProcess.StartBuilt(data[killed.Name], arguments[killed.Name]);
        return await sites[killed.Name].WaitUntilReadyAsync();
    }

    /// <summary><paramref name="loops"/> writers, each one MULTI/EXEC (INCR cart:n, SADD cart:s member) at a time, until a write fails or <paramref name="stop"/>.</summary>
    private static Task WriteAsync(IDatabase db, string site, Writes writes, int loops, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, loops).Select(async loop =>
        {
            while (!stop.IsCancellationRequested)
            {
                var member = writes.Next(site);
                var transaction = db.CreateTransaction();
                _ = transaction.StringIncrementAsync("cart:n");
                _ = transaction.SetAddAsync("cart:s", member);
                try
                {
                    if (!await transaction.ExecuteAsync())
                    {
                        throw new InvalidOperationException($"a MULTI/EXEC without WATCH was not executed at {site}");
                    }
                }
                catch (Exception e) when (e is RedisException or RedisTimeoutException)
                {
                    return; // the site is gone: this write may or may not have happened
                }

                writes.Acknowledged(site, member);
            }
        }));

    private static async Task<ConnectionMultiplexer> ConnectAsync(SiteEndpointsInfo site)
    {
        var endpoint = new Uri(site.Resp!);
        // No retry of a command on another connection: a write the kill cut short must fail, not be sent twice.
        return await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { endpoint.Host, endpoint.Port } },
            AsyncTimeout = 10_000,
            ConnectTimeout = 5_000,
            BacklogPolicy = BacklogPolicy.FailFast,
        });
    }

    /// <summary>The counter and set once both sites read the same.</summary>
    private static async Task<(long Count, HashSet<string> Members)> ConvergedAsync(SiteEndpointsInfo a, SiteEndpointsInfo b)
    {
        await using var atA = await ConnectAsync(a);
        await using var atB = await ConnectAsync(b);
        (long, HashSet<string>) first = default, second = default;
        await Poll.UntilAsync(async () =>
        {
            first = await ReadAsync(atA.GetDatabase());
            second = await ReadAsync(atB.GetDatabase());
            return first.Item1 == second.Item1 && first.Item2.SetEquals(second.Item2);
        }, $"{a.Name} and {b.Name} to read the same cart:n and cart:s", TimeSpan.FromSeconds(60), () => Task.FromResult($"{a.Name}: {first.Item1} / {first.Item2?.Count} members; {b.Name}: {second.Item1} / {second.Item2?.Count} members"));
        return first;
    }

    private static async Task<(long, HashSet<string>)> ReadAsync(IDatabase db)
    {
        var count = (long?)await db.StringGetAsync("cart:n") ?? 0;
        var members = (await db.SetMembersAsync("cart:s")).Select(m => m.ToString()).ToHashSet(StringComparer.Ordinal);
        return (count, members);
    }

    /// <summary>The arguments that join <paramref name="child"/> to <paramref name="parent"/>: a token from the parent, in a file only its owner reads.</summary>
    private async Task<string[]> JoinAsync(SiteEndpointsInfo parent, string child)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(parent.Api + "/api/tokens", new StringContent("{\"ttl\":\"10m\"}", Encoding.UTF8, "application/json"));
        var body = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        var file = Path.Combine(Root, $"{child}.token");
        await File.WriteAllTextAsync(file, body!["token"]!.GetValue<string>());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return ["--join", parent.Api, "--token-file", file];
    }

    /// <summary>A parent forwards its child's join up its own link: that link must be up first.</summary>
    private static async Task UplinkConnectedAsync(SiteEndpointsInfo site)
    {
        using var http = new HttpClient();
        await Poll.UntilAsync(
            async () => (await http.GetFromJsonAsync<JsonObject>(site.Api + "/api/site"))?["uplink"]?.GetValue<string>() == "connected",
            $"{site.Name}'s uplink to connect", TimeSpan.FromSeconds(60));
    }

    /// <summary>A mission <paramref name="name"/> at <paramref name="api"/> carrying a keyspace of <paramref name="prefix"/> placed at a and c.</summary>
    private static async Task ApplyKeyspaceAsync(string api, string name = "carts", string prefix = "cart:")
    {
        var mission = $$$$"""
            {"apiVersion":"fornax.io/v1","kind":"Mission","metadata":{"name":"{{{{name}}}}"},"spec":{"content":[
              {"apiVersion":"fornax.io/v1","kind":"Keyspace","metadata":{"name":"{{{{name}}}}"},"spec":{"prefix":"{{{{prefix}}}}","placement":{"sites":["a","c"]}}}]}}
            """;
        using var http = new HttpClient();
        using var response = await http.PutAsync($"{api}/apis/fornax.io/v1/namespaces/default/missions/{name}", new StringContent(mission, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A key written at <paramref name="from"/> is read at <paramref name="to"/>: the keyspace is placed at both and their link is up.</summary>
    private static async Task ReplicatingAsync(SiteEndpointsInfo from, SiteEndpointsInfo to)
    {
        await using var writer = await ConnectAsync(from);
        await using var reader = await ConnectAsync(to);
        await Poll.UntilAsync(async () =>
        {
            await writer.GetDatabase().StringSetAsync("cart:probe", "1");
            return await reader.GetDatabase().StringGetAsync("cart:probe") == "1";
        }, $"a key written at {from.Name} to reach {to.Name}", TimeSpan.FromSeconds(60));
    }

    /// <summary>Every member written (attempted) and every one whose write was acknowledged, by site.</summary>
    private sealed class Writes
    {
        private readonly ConcurrentDictionary<string, int> _acked = new(StringComparer.Ordinal);
        private int _next;

        public ConcurrentBag<string> Attempted { get; } = [];

        public ConcurrentBag<string> Acked { get; } = [];

        public string Next(string site)
        {
            var member = $"{site}-{Interlocked.Increment(ref _next)}";
            Attempted.Add(member);
            return member;
        }

        public void Acknowledged(string site, string member)
        {
            Acked.Add(member);
            _acked.AddOrUpdate(site, 1, (_, n) => n + 1);
        }

        public int AckedAt(string site) => _acked.GetValueOrDefault(site);
    }
}
