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
        string[] steps = ["1. Start the tree.", "2. Apply a mission at the root", "3. Cut the link east ↔ east-1", "4. Update the mission", "5. Heal the link.", "6. Deploy a WebAssembly function", "7. Call a service across the edge portals."];
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
        var portals = Section(lines, "7. Call", "Done in");
        var calls = portals.Where(l => l.Contains("/svc/default/greeter/?name=east-1 → 200", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, calls.Count);
        Assert.Contains("Hello, east-1 from east-2!", calls[0], StringComparison.Ordinal);
        Assert.EndsWith("Fornax-Route: cloud/east/east-1, cloud/east/east-2", calls[0], StringComparison.Ordinal);
        Assert.Contains("Hello, east-1 from west-1!", calls[1], StringComparison.Ordinal);
        Assert.EndsWith("Fornax-Route: cloud/east/east-1, cloud/west/west-1", calls[1], StringComparison.Ordinal);
    }

    private static List<string> Section(IReadOnlyList<string> lines, string from, string to) =>
        lines.SkipWhile(l => !l.StartsWith(from, StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith(to, StringComparison.Ordinal)).ToList();
}
