namespace Fornax.Cli.Tests;

public sealed class DemoTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Demo_SendsAMissionDownTheTree_CutsALink_ShowsAutonomy_HealsAndReconciles()
    {
        var result = await _cli.RunAsync("demo", "--heartbeat", "300ms");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var lines = result.StdoutLines;
        string[] steps = ["1. Start the tree.", "2. Apply a mission at the root", "3. Cut the link east ↔ east-1", "4. Update the mission", "5. Heal the link.", "6. Deploy a WebAssembly function", "7. Call a service across the edge portals.", "8. Replicate a keyspace"];
        Assert.Contains(lines, l => l.Contains("Dashboard, while the demo runs: http://127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("/ui/", StringComparison.Ordinal));
        Assert.Equal(steps, lines.Where(l => steps.Any(s => l.StartsWith(s, StringComparison.Ordinal))).Select(l => steps.First(s => l.StartsWith(s, StringComparison.Ordinal))));

        // Before the cut: the edge sites of east Active, everyone else not match.
        var beforeCut = Section(lines, "2. Apply", "3. Cut");
        Assert.Contains(beforeCut, l => l.Contains("cloud/east/east-1", StringComparison.Ordinal) && l.EndsWith("Active", StringComparison.Ordinal));
        Assert.Contains(beforeCut, l => l.Contains("cloud/west/west-1", StringComparison.Ordinal) && l.EndsWith("not match", StringComparison.Ordinal));
        Assert.Contains(beforeCut, l => l.Contains("west-1: no ConfigMap", StringComparison.Ordinal));

        // During the cut: the root shows east-1 offline, east-1 itself still has the mission.
        var cut = Section(lines, "3. Cut", "4. Update");
        Assert.Contains(cut, l => l.Contains("cloud/east/east-1", StringComparison.Ordinal) && l.EndsWith("cluster offline", StringComparison.Ordinal));
        Assert.Contains(cut, l => l.Contains("Autonomy:", StringComparison.Ordinal) && l.Contains("(Active)", StringComparison.Ordinal) && l.Contains("upload-batch=100", StringComparison.Ordinal));
        Assert.Contains(Section(lines, "4. Update", "5. Heal"), l => l.Contains("east-2 has it: upload-batch=200", StringComparison.Ordinal) && l.Contains("upload-batch=100.", StringComparison.Ordinal));

        // After the heal: the update reached east-1 and the root sees it Active again.
        var healed = Section(lines, "5. Heal", "6. Deploy");
        Assert.Contains(healed, l => l.Contains("upload-batch=200", StringComparison.Ordinal));
        Assert.Contains(healed, l => l.Contains("cloud/east/east-1", StringComparison.Ordinal) && l.EndsWith("Active", StringComparison.Ordinal));

        // The function reached every edge site (its module fetched down the links) and answers at each one's ingress.
        var functions = Section(lines, "6. Deploy", "7. Call");
        foreach (var edge in new[] { "east-1", "east-2", "west-1", "west-2" })
        {
            Assert.Contains(functions, l => l.Contains("/fn/hello/?name=demo → 200", StringComparison.Ordinal) && l.EndsWith($"Hello, demo from {edge}!", StringComparison.Ordinal));
        }

        // The service served at east-2 and west-1, called at east-1: the sibling first, portal to portal; west-1 once east-2 is cut off.
        var portals = Section(lines, "7. Call", "8. Replicate");
        var calls = portals.Where(l => l.Contains("/svc/default/greeter/?name=east-1 → 200", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Contains("Hello, east-1 from east-2!", calls[0], StringComparison.Ordinal);
        Assert.EndsWith("Fornax-Route: cloud/east/east-1, cloud/east/east-2", calls[0], StringComparison.Ordinal);
        Assert.Contains("Hello, east-1 from west-1!", calls[1], StringComparison.Ordinal);
        Assert.EndsWith("Fornax-Route: cloud/east/east-1, cloud/west/west-1", calls[1], StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Demo_KeyspaceWrittenAtTwoEdgesDuringACut_ConvergesAfterTheHeal_AndPrintsTheRedisCliCommands()
    {
        var result = await _cli.RunAsync("demo", "--heartbeat", "300ms");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var lines = result.StdoutLines.Select(l => l.Trim()).ToList();
        var kv = Section(lines, "8. Replicate", "Done in");

        // During the cut each side sees only its own writes.
        Assert.Contains(kv, l => l.StartsWith("east-1  INCR", StringComparison.Ordinal) && l.EndsWith("demo:visits=3 demo:tags=[east-1] demo:greeting=\"hello from east-1\"", StringComparison.Ordinal));
        Assert.Contains(kv, l => l.StartsWith("west-1  INCR", StringComparison.Ordinal) && l.EndsWith("demo:visits=4 demo:tags=[west-1] demo:greeting=\"hello from west-1\"", StringComparison.Ordinal));

        // After the heal both read the same: the counter is the sum, the set the union, the string one of the two writes.
        var healed = kv.SkipWhile(l => !l.StartsWith("Heal the link.", StringComparison.Ordinal)).ToList();
        var east = Assert.Single(healed, l => l.StartsWith("east-1  demo:visits=", StringComparison.Ordinal))["east-1  ".Length..];
        var west = Assert.Single(healed, l => l.StartsWith("west-1  demo:visits=", StringComparison.Ordinal))["west-1  ".Length..];
        Assert.Equal(east, west);
        Assert.Matches("^demo:visits=7 demo:tags=\\[east-1,west-1\\] demo:greeting=\"hello from (east|west)-1\"$", east);

        // The commands to repeat it on `fornax up` name the RESP ports that topology gives east-1 and west-1.
        Assert.Contains(lines, l => l.StartsWith("fornax apply -f examples/missions/tree/edge-kv.yaml", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("redis-cli -p 7114 INCR demo:visits", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("redis-cli -p 7122 INCRBY demo:visits 4", StringComparison.Ordinal));
    }

    private static List<string> Section(IReadOnlyList<string> lines, string from, string to) =>
        lines.SkipWhile(l => !l.StartsWith(from, StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith(to, StringComparison.Ordinal)).ToList();
}
