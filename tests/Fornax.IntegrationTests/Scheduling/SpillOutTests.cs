using Fornax.Testing;

namespace Fornax.IntegrationTests.Scheduling;

/// <summary>Spill-out on a real in-process tree: real sites, real links, real portal routes between them.</summary>
public sealed class SpillOutTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task Idle_OneCallAtATime_EveryCallRunsWhereItArrived()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await SpillTree.DeployBusyAsync(tree, ["e1", "e2"], policy: null, "e1");
        using var ingress = SpillTree.Ingress(tree["e1"]);

        var calls = new List<SpillTree.Call>();
        for (var i = 0; i < 6; i++)
        {
            calls.Add(await SpillTree.CallAsync(ingress, SpillTree.Heavy));
        }

        Assert.All(calls, c => Assert.Equal(new SpillTree.Call(200, "done\n", "a/r/e1", "0", null), c));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Overloaded_ConcurrentCallsBeyondTheSlot_SpillToTheIdleSibling()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await SpillTree.DeployBusyAsync(tree, ["e1", "e2"], policy: null, "e1");
        using var ingress = SpillTree.Ingress(tree["e1"]);

        // Rounds of eight at once on e1's single slot, until some went to e2 (every round is a real burst; the first
        // teaches e1 the function's service time).
        var calls = await SpillTree.BurstUntilAsync(ingress, sofar => sofar.Any(c => c.Site == "a/r/e2"), "a burst at e1 to spill to e2");

        Assert.All(calls, c => Assert.Equal((200, "done\n"), (c.Status, c.Body)));
        Assert.All(calls.Where(c => c.Site == "a/r/e2"), c => Assert.Equal(("1", "a/r/e1, a/r/e2"), (c.Hops, c.Route)));
        Assert.All(calls.Where(c => c.Site == "a/r/e1"), c => Assert.Equal("0", c.Hops));
        Assert.Contains(calls, c => c.Site == "a/r/e1");

        // Counted on e1's /metrics, by function and the site that ran them.
        var metrics = "";
        await Poll.UntilAsync(async () => (metrics = await tree["e1"].Http.GetStringAsync("/metrics")).Contains("fornax_scheduling_spilled", StringComparison.Ordinal),
            "the spill counter on e1's /metrics", TimeSpan.FromSeconds(10));
        var spilled = metrics.Split('\n').Single(l => l.StartsWith("fornax_scheduling_spilled", StringComparison.Ordinal) && l.Contains("site=\"a/r/e2\"", StringComparison.Ordinal));
        Assert.Contains("function=\"busy\"", spilled, StringComparison.Ordinal);
        Assert.Equal(calls.Count(c => c.Site == "a/r/e2"), (int)double.Parse(spilled[(spilled.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task EverySiteOverloaded_NoCallLoops_AndNoneIsLost()
    {
        var ones = new Dictionary<string, int> { ["a"] = 1, ["r"] = 1, ["e1"] = 1, ["e2"] = 1 };
        await using var tree = await SpillTree.StartAsync(ones);
        await SpillTree.DeployBusyAsync(tree, ["a", "r", "e1", "e2"], policy: null, "e1", "e2", "r");
        using var atE1 = SpillTree.Ingress(tree["e1"]);
        using var atE2 = SpillTree.Ingress(tree["e2"]);

        var calls = new List<SpillTree.Call>();
        await Poll.UntilAsync(async () =>
        {
            var burst = Enumerable.Range(0, 6).SelectMany(_ => new[] { SpillTree.CallAsync(atE1, SpillTree.Heavy), SpillTree.CallAsync(atE2, SpillTree.Heavy) });
            calls.AddRange(await Task.WhenAll(burst));
            return calls.Any(c => c.Hops != "0");
        }, "bursts at both edges to spill somewhere", TimeSpan.FromSeconds(60), () => Task.FromResult(string.Join("; ", calls)));

        Assert.All(calls, c =>
        {
            Assert.Equal((200, "done\n"), (c.Status, c.Body));
            var hops = int.Parse(c.Hops!, System.Globalization.CultureInfo.InvariantCulture);
            // At most three sites on a path (the hop limit), none twice, and the last is where it ran.
            var route = c.Route?.Split(", ") ?? [c.Site!];
            Assert.InRange(hops, 0, 2);
            Assert.Equal(hops + 1, route.Length);
            Assert.Equal(route.Length, route.Distinct().Count());
            Assert.Equal(c.Site, route[^1]);
        });
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PolicyCloud_IdleEdge_RunsAtTheRoot()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await SpillTree.DeployBusyAsync(tree, ["a", "e1"], policy: "cloud", "e1");
        using var ingress = SpillTree.Ingress(tree["e1"]);

        var cloud = await SpillTree.CallAsync(ingress, "1000");

        Assert.Equal(new SpillTree.Call(200, "done\n", "a", "1", "a/r/e1, a"), cloud);
    }
}
