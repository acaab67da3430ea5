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
/// A replicating KV site killed with SIGKILL while clients write at it and at its neighbour, then started again on its
/// data: two `fornax node run` processes (a root and its child, `--durability always`), a keyspace at both, writes by
/// StackExchange.Redis. What was acknowledged must survive the kill and reach the other site; what the kill cut short
/// may or may not have happened, but atomically and the same at both.
/// </summary>
public sealed class KvKillTests(ITestOutputHelper output) : IDisposable
{
    private const int AckedBeforeKill = 200;
    private const int AckedWhileDown = 100;
    private readonly string _root = Directory.CreateTempSubdirectory("fornax-kv-kill-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ChildThenParent_KilledMidWrite_EveryAcknowledgedWriteSurvives_AndBothSitesAgree()
    {
        var dataA = Directory.CreateDirectory(Path.Combine(_root, "a")).FullName;
        var dataB = Directory.CreateDirectory(Path.Combine(_root, "b")).FullName;
        var site = new[] { "--durability", "always", "--heartbeat", "300ms" };
        // The root keeps its API and link ports across its restart: the child dials the link port it learned.
        var ports = FreePorts.Range(2);
        string[] root = [.. site, "--name", "a", "--api-port", $"{ports}", "--link-port", $"{ports + 1}"];
        var a = SiteProcess.StartBuilt(dataA, root);
        var b = (SiteProcess?)null;
        try
        {
            var atA = await a.WaitUntilReadyAsync();
            var tokenFile = Path.Combine(_root, "join-token");
            await File.WriteAllTextAsync(tokenFile, await JoinTokenAsync(atA.Api));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            b = SiteProcess.StartBuilt(dataB, [.. site, "--name", "b", "--join", atA.Api, "--token-file", tokenFile]);
            var atB = await b.WaitUntilReadyAsync();
            await ApplyKeyspaceAsync(atA.Api);
            await ReplicatingAsync(atB, atA);

            // The child dies mid-write; the parent takes writes while it is down; the child starts again on its data.
            var writes = new Writes();
            await KillWhileWritingAsync(b, toKill: atB, other: atA, writes);
            b = SiteProcess.StartBuilt(dataB, [.. site, "--name", "b"]);
            atB = await b.WaitUntilReadyAsync();

            // Then the parent, with the child writing meanwhile.
            await KillWhileWritingAsync(a, toKill: atA, other: atB, writes);
            a = SiteProcess.StartBuilt(dataA, root);
            atA = await a.WaitUntilReadyAsync();

            output.WriteLine($"{writes.Acked.Count} writes acknowledged, {writes.Attempted.Count} attempted");
            var (count, members) = await ConvergedAsync(atA, atB);
            var lost = writes.Acked.Except(members).ToList();
            Assert.True(lost.Count == 0, $"acknowledged, then lost: {string.Join(", ", lost.Take(20))}");
            var invented = members.Except(writes.Attempted).ToList();
            Assert.True(invented.Count == 0, $"present, never written: {string.Join(", ", invented.Take(20))}");
            // Each write was one MULTI/EXEC of INCR and SADD: the counter and the set move together or not at all.
            Assert.Equal(members.Count, count);
        }
        finally
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
    }

    /// <summary>Writes at both sites until <paramref name="toKill"/> acknowledged <see cref="AckedBeforeKill"/>, kills it,
    /// and goes on writing at <paramref name="other"/> for <see cref="AckedWhileDown"/> more.</summary>
    private async Task KillWhileWritingAsync(SiteProcess process, SiteEndpointsInfo toKill, SiteEndpointsInfo other, Writes writes)
    {
        await using var killed = await ConnectAsync(toKill);
        await using var living = await ConnectAsync(other);
        using var stop = new CancellationTokenSource();
        var beforeKill = writes.AckedAt(toKill.Name);
        var atKilled = WriteAsync(killed.GetDatabase(), toKill.Name, writes, loops: 4, stop.Token);
        var atLiving = WriteAsync(living.GetDatabase(), other.Name, writes, loops: 2, stop.Token);
        await Poll.UntilAsync(() => writes.AckedAt(toKill.Name) - beforeKill >= AckedBeforeKill, $"{AckedBeforeKill} writes acknowledged at {toKill.Name}", TimeSpan.FromSeconds(60));
        await process.KillAsync();
        await atKilled; // its writers stop at their first failure
        var whileDown = writes.AckedAt(other.Name);
        await Poll.UntilAsync(() => writes.AckedAt(other.Name) - whileDown >= AckedWhileDown, $"{AckedWhileDown} writes acknowledged at {other.Name} while {toKill.Name} is down", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await atLiving;
        output.WriteLine($"{toKill.Name} killed after {writes.AckedAt(toKill.Name) - beforeKill} acknowledged writes there");
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
                catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException or RedisServerException)
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
        }, "a and b to read the same cart:n and cart:s", TimeSpan.FromSeconds(60), () => Task.FromResult($"a: {first.Item1} / {first.Item2?.Count} members; b: {second.Item1} / {second.Item2?.Count} members"));
        return first;
    }

    private static async Task<(long, HashSet<string>)> ReadAsync(IDatabase db)
    {
        var count = (long?)await db.StringGetAsync("cart:n") ?? 0;
        var members = (await db.SetMembersAsync("cart:s")).Select(m => m.ToString()).ToHashSet(StringComparer.Ordinal);
        return (count, members);
    }

    private static async Task<string> JoinTokenAsync(string api)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(api + "/api/tokens", new StringContent("{\"ttl\":\"10m\"}", Encoding.UTF8, "application/json"));
        var body = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        return body!["token"]!.GetValue<string>();
    }

    private static async Task ApplyKeyspaceAsync(string api)
    {
        const string Mission = """
            {"apiVersion":"fornax.io/v1","kind":"Mission","metadata":{"name":"carts"},"spec":{"content":[
              {"apiVersion":"fornax.io/v1","kind":"Keyspace","metadata":{"name":"carts"},"spec":{"prefix":"cart:","placement":{"sites":["a","b"]}}}]}}
            """;
        using var http = new HttpClient();
        using var response = await http.PutAsync(api + "/apis/fornax.io/v1/namespaces/default/missions/carts", new StringContent(Mission, Encoding.UTF8, "application/json"));
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
