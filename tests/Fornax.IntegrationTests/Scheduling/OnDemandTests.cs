using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Scheduling;

/// <summary>
/// On-demand deployment (<c>spec.scheduling.onDemand</c>): a mission selects only the edge <c>e1</c>; its parent
/// <c>r</c> relays the mission, so it holds the Function and its blob, and loads it when a spilled call asks for it.
/// </summary>
public sealed class OnDemandTests
{
    [Fact]
    public async Task PolicyCloud_OnDemand_EachParentOnTheWayLoadsIt_AndTheRootServesEveryCall()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await DeployAtE1Async(tree, "cloud", onDemand: true);
        using var ingress = SpillTree.Ingress(tree["e1"]);

        var first = await SpillTree.CallAsync(ingress, "1000");
        var second = await SpillTree.CallAsync(ingress, "1000");

        // Policy cloud at r (which now serves it) sends it on to r's parent, which loads it on demand in turn.
        Assert.Equal(new SpillTree.Call(200, "done\n", "a", "2", "a/r/e1, a/r, a"), first);
        // Loaded now, r and a announce it: e1 may go to a straight, or by r still, until it has heard that.
        Assert.Equal((200, "done\n", "a"), (second.Status, second.Body, second.Site));
    }

    [Fact]
    public async Task LoadedOnDemand_TheMissionDeleted_TheParentUnloadsIt()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await DeployAtE1Async(tree, "cloud", onDemand: true);
        using var atE1 = SpillTree.Ingress(tree["e1"]);
        using var atR = SpillTree.Ingress(tree["r"]);
        Assert.Equal(404, (await SpillTree.CallAsync(atR, "1000")).Status);
        Assert.Equal("a", (await SpillTree.CallAsync(atE1, "1000")).Site);
        Assert.Equal((200, "a"), (await SpillTree.CallAsync(atR, "1000")) is var loaded ? (loaded.Status, loaded.Site) : default);

        using var deleted = await tree["a"].Http.DeleteAsync("/apis/fornax.io/v1/namespaces/default/missions/busy-e1");
        deleted.EnsureSuccessStatusCode();

        await Poll.UntilAsync(async () => (await SpillTree.CallAsync(atR, "1000")).Status == 404, "r to unload busy once its mission is gone", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task PolicyCloud_WithoutOnDemand_TheParentIsNeverTried()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await DeployAtE1Async(tree, "cloud", onDemand: false);
        using var ingress = SpillTree.Ingress(tree["e1"]);

        var call = await SpillTree.CallAsync(ingress, "1000");

        // Run here without a forward: a refused forward to r would also end here, but counted as spill_failed.
        Assert.Equal(new SpillTree.Call(200, "done\n", "a/r/e1", "0", null), call);
        Assert.DoesNotContain("fornax_scheduling_spill", await tree["e1"].Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PolicySpill_OnDemand_OverloadedEdge_SpillsToTheParent()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await DeployAtE1Async(tree, "spill", onDemand: true);
        using var ingress = SpillTree.Ingress(tree["e1"]);

        // Rounds of eight at once on e1's single slot, until some ran at r.
        var calls = await SpillTree.BurstUntilAsync(ingress, sofar => sofar.Any(c => c.Site == "a/r"), "a burst at e1 to spill to r");

        Assert.All(calls, c => Assert.Equal((200, "done\n"), (c.Status, c.Body)));
        Assert.All(calls.Where(c => c.Site == "a/r"), c => Assert.Equal(("1", "a/r/e1, a/r"), (c.Hops, c.Route)));
        Assert.All(calls.Where(c => c.Site != "a/r"), c => Assert.Equal(("a/r/e1", "0"), (c.Site, c.Hops)));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PolicySpill_WithoutOnDemand_OverloadedEdge_RunsEverythingItself_TheParentNeverTried()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await DeployAtE1Async(tree, "spill", onDemand: false);
        using var ingress = SpillTree.Ingress(tree["e1"]);

        var calls = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SpillTree.CallAsync(ingress, SpillTree.Heavy)));

        Assert.All(calls, c => Assert.Equal(new SpillTree.Call(200, "done\n", "a/r/e1", "0", null), c));
        Assert.DoesNotContain("fornax_scheduling_spill", await tree["e1"].Http.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    /// <summary>busy at e1 only; waits until e1 has heard r's load (a spill goes only to a site whose load it knows).</summary>
    private static async Task DeployAtE1Async(TreeHost tree, string policy, bool onDemand)
    {
        var scheduling = $", scheduling: {{policy: {policy}{(onDemand ? ", onDemand: true" : "")}}}";
        await Portal.PortalTree.DeployFunctionAsync(tree, "busy-e1", "busy", "busy.wasm", ", abi: raw, limits: {timeout: 20s}" + scheduling, "e1");
        await Poll.UntilAsync(async () => (await SpillTree.LoadAsync(tree["e1"])).ContainsKey("a/r"), "e1 to hear r's load", TimeSpan.FromSeconds(30));
    }
}
