using System.Net;
using Fornax.Cli.Commands.Tree;
using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Spectre.Console;
using StackExchange.Redis;

namespace Fornax.Cli.Commands.Demo;

/// <summary>
/// Step 8 of the demo: a keyspace replicated between east-1 and west-1 (through the cloud), written at both during a
/// cut with a real Redis client — a counter, a set and a string — then healed; both sites converge (the counter to the
/// sum of the increments, the set to the union, the string to the last writer). Ends with the redis-cli commands to
/// do the same on <c>fornax up</c>.
/// </summary>
internal sealed class DemoKvScene(IAnsiConsole console, Func<Func<Task<bool>>, string, Task> waitAsync)
{
    public const string MissionFile = "examples/missions/tree/edge-kv.yaml";

    private const string Counter = "demo:visits";
    private const string Set = "demo:tags";
    private const string Text = "demo:greeting";

    /// <summary>The increments each site makes during the cut: the converged counter is their sum.</summary>
    private static readonly (string Site, int Increments)[] Writers = [("east-1", 3), ("west-1", 4)];

    public async Task RunAsync(TreeHost tree, string missionYaml)
    {
        console.MarkupLine($"[bold]8. Replicate a keyspace between two edge sites[/] ({Markup.Escape(MissionFile)}): keys starting with [aqua]demo:[/] at east-1 and west-1, relayed through the cloud. Each site serves them on its RESP port to any Redis client.");
        await TreeHost.ApplyAsync(tree["cloud"], "missions", "edge-kv", missionYaml);
        var redis = new Dictionary<string, ConnectionMultiplexer>();
        try
        {
            foreach (var (site, _) in Writers)
            {
                redis[site] = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { RespEndPoint(tree[site]) }, AbortOnConnectFail = true });
            }

            var east = redis["east-1"].GetDatabase();
            var west = redis["west-1"].GetDatabase();
            await waitAsync(async () =>
            {
                await east.StringSetAsync("demo:ready", "1");
                return await west.StringGetAsync("demo:ready") == "1";
            }, "the keyspace to replicate from east-1 to west-1");

            console.MarkupLine("   [bold]Cut east ↔ east-1[/], then write at both sites:");
            tree.Cut("east", "east-1");
            foreach (var (site, increments) in Writers)
            {
                var db = redis[site].GetDatabase();
                for (var i = 0; i < increments; i++)
                {
                    await db.StringIncrementAsync(Counter);
                }

                await db.SetAddAsync(Set, site);
                await db.StringSetAsync(Text, $"hello from {site}");
                console.MarkupLine($"     {site,-7} INCR {Counter} ×{increments}, SADD {Set} {site}, SET {Text} \"hello from {site}\" → {await ShowAsync(db)}");
            }

            console.MarkupLine("   [bold]Heal the link.[/]");
            tree.Heal("east", "east-1");
            var expected = Writers.Sum(w => w.Increments).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await waitAsync(async () =>
                await ShowAsync(east) == await ShowAsync(west) && await east.StringGetAsync(Counter) == expected && await east.SetLengthAsync(Set) == Writers.Length,
                "east-1 and west-1 to converge");
            foreach (var (site, _) in Writers)
            {
                console.MarkupLine($"     {site,-7} {await ShowAsync(redis[site].GetDatabase())}");
            }

            console.MarkupLine($"   Converged: the counter is the sum of both sides' increments ({expected}), the set holds both adds, the string is the write with the later clock.");
        }
        finally
        {
            foreach (var connection in redis.Values)
            {
                await connection.DisposeAsync();
            }
        }
    }

    /// <summary>The three keys as one line: <c>demo:visits=7 demo:tags=[east-1,west-1] demo:greeting="…"</c>.</summary>
    private static async Task<string> ShowAsync(IDatabase db)
    {
        var members = (await db.SetMembersAsync(Set)).Select(m => m.ToString()).Order(StringComparer.Ordinal);
        return Markup.Escape($"{Counter}={await db.StringGetAsync(Counter)} {Set}=[{string.Join(",", members)}] {Text}=\"{await db.StringGetAsync(Text)}\"");
    }

    private static IPEndPoint RespEndPoint(TreeSite site) =>
        new(IPAddress.Loopback, new Uri(site.Node.Endpoints.Resp ?? throw new CliException($"demo: {site.Name} serves no RESP port")).Port);

    /// <summary>The commands that repeat this scene on <c>fornax up -f examples/topologies/three-tier.yaml</c> (ports from its base 7100).</summary>
    public static IEnumerable<(string Command, string What)> TryItYourself(Topology topology)
    {
        var sites = topology.Spec.Sites!;
        int Resp(string name) => 7100 + (sites.FindIndex(s => s.Name == name) * UpCommand.PortsPerSite) + 2;
        var (e, w) = (Resp("east-1"), Resp("west-1"));
        yield return ($"fornax apply -f {MissionFile}", "the keyspace, at the root");
        yield return ("fornax link cut east east-1", "write at both sides of the cut:");
        yield return ($"redis-cli -p {e} INCR {Counter}", "east-1's RESP port");
        yield return ($"redis-cli -p {w} INCRBY {Counter} 4", "west-1's RESP port");
        yield return ($"redis-cli -p {e} SADD {Set} east-1", "");
        yield return ($"redis-cli -p {w} SADD {Set} west-1", "");
        yield return ($"redis-cli -p {e} SET {Text} 'hello from east-1'", "");
        yield return ($"redis-cli -p {w} SET {Text} 'hello from west-1'", "");
        yield return ("fornax get keyspaces -o wide", "the changes waiting at east for east-1");
        yield return ("fornax link heal east east-1", "then read at both:");
        yield return ($"redis-cli -p {e} MGET {Counter} {Text}", $"same answer as -p {w}");
        yield return ($"redis-cli -p {w} SMEMBERS {Set}", "both members");
    }
}
