namespace Fornax.Scheduling.Tests;

/// <summary>The spill decision with made-up loads: this site has 2 slots, a queue threshold of 2 and a hop limit of 3.</summary>
public sealed class SpillPlannerTests
{
    private static readonly SpillPlanner Planner = new(new SchedulingOptions { Capacity = 2, QueueThreshold = 2, MaxHops = 3 });
    private static readonly TimeSpan Service = TimeSpan.FromMilliseconds(10);

    private static SiteLoad Load(double concurrency, int capacity = 2, TimeSpan? service = null) =>
        new(capacity, (int)concurrency, Math.Max(0, (int)concurrency - capacity), concurrency, concurrency, false,
            service is null ? new Dictionary<string, FunctionLoad>() : new Dictionary<string, FunctionLoad> { ["f"] = new(0, service) });

    private static SpillCandidate Sibling(string name, double concurrency, double latencyMs = 1) =>
        new("a/r/" + name, SiteRelation.Sibling, 0, TimeSpan.FromMilliseconds(latencyMs), Load(concurrency));

    private static SpillCandidate Parent(double concurrency, double latencyMs = 5) =>
        new("a/r", SiteRelation.Ancestor, 1, TimeSpan.FromMilliseconds(latencyMs), Load(concurrency, capacity: 8));

    private static SpillCandidate Root(double concurrency, double latencyMs = 40) =>
        new("a", SiteRelation.Ancestor, 2, TimeSpan.FromMilliseconds(latencyMs), Load(concurrency, capacity: 32));

    private static SpillRequest Request(int inFlight, SpillPolicy policy = SpillPolicy.Spill, int hops = 0, TimeSpan? service = null) =>
        new("f", policy, hops, inFlight, service ?? Service);

    [Fact]
    public void Decide_Idle_RunsHere()
    {
        var decision = Planner.Decide(Request(inFlight: 1), [Sibling("e2", 0), Parent(0)]);

        Assert.Equal(SpillDecision.Here("within capacity"), decision);
    }

    [Fact]
    public void Decide_QueueAtTheThreshold_GoesToTheSiblingWithAFreeSlot()
    {
        // 4 running on 2 slots: 2 queued, the threshold.
        var decision = Planner.Decide(Request(inFlight: 4, service: TimeSpan.Zero), [Sibling("e2", 2), Sibling("e3", 0.5, latencyMs: 3), Parent(0)]);

        Assert.Equal(new SpillDecision("a/r/e3", "queue 2 at or over 2"), decision);
    }

    [Fact]
    public void Decide_PredictedWaitOverTheCostThere_GoesToTheCheapestSibling()
    {
        // 3 running on 2 slots: one more waits (4/2 - 1) × 10 ms = 10 ms. e2 costs 1 ms + nothing, e3 2 ms.
        var decision = Planner.Decide(Request(inFlight: 3), [Sibling("e3", 0, latencyMs: 2), Sibling("e2", 0, latencyMs: 1)]);

        Assert.Equal(new SpillDecision("a/r/e2", "predicted wait 10 ms over 1 ms at a/r/e2"), decision);
    }

    [Fact]
    public void Decide_TheLinkCostsMoreThanTheWait_RunsHere()
    {
        var decision = Planner.Decide(Request(inFlight: 3), [Sibling("e2", 0, latencyMs: 12), Parent(0, latencyMs: 30)]);

        Assert.Equal(SpillDecision.Here("predicted wait 10 ms: no cheaper site"), decision);
    }

    [Fact]
    public void Decide_SiblingsBusy_GoesToTheParent_ThenFurtherUp()
    {
        // Both siblings have every slot taken and the queue is over the threshold: the parent, 8 slots, has room.
        var toParent = Planner.Decide(Request(inFlight: 5), [Sibling("e2", 2), Sibling("e3", 3), Parent(1), Root(0)]);
        var toRoot = Planner.Decide(Request(inFlight: 5), [Sibling("e2", 2), Parent(8), Root(0)]);

        Assert.Equal("a/r", toParent.Target);
        Assert.Equal("a", toRoot.Target);
    }

    [Fact]
    public void Decide_SiblingWithoutFreshLoad_IsNoTarget()
    {
        var unheard = new SpillCandidate("a/r/e2", SiteRelation.Sibling, 0, TimeSpan.FromMilliseconds(1), Load: null);

        var decision = Planner.Decide(Request(inFlight: 6), [unheard]);

        Assert.Equal(SpillDecision.Here("queue 4: no site with a free slot"), decision);
    }

    [Fact]
    public void Decide_ForwardsStillUnanswered_CountAgainstTheSibling()
    {
        // e2 reported 0 running, but this site already sent it 2 it has not answered: no free slot of its 2.
        var busy = Sibling("e2", 0) with { Outstanding = 2 };

        var decision = Planner.Decide(Request(inFlight: 4), [busy, Parent(0)]);

        Assert.Equal("a/r", decision.Target);
    }

    [Fact]
    public void Decide_UsesTheServiceTimeTheCandidateReports()
    {
        // Here 10 ms; at e2, with 2 of 2 slots busy, 1 more waits half its own 100 ms: 51 ms, more than the 10 ms here.
        var slow = new SpillCandidate("a/r/e2", SiteRelation.Sibling, 0, TimeSpan.FromMilliseconds(1), Load(2, service: TimeSpan.FromMilliseconds(100)));

        var decision = Planner.Decide(Request(inFlight: 3), [slow]);

        Assert.True(decision.RunHere, decision.Reason);
    }

    [Fact]
    public void Decide_AlreadyForwarded_NeverSideways_OnlyUp()
    {
        var decision = Planner.Decide(Request(inFlight: 6, hops: 1), [Sibling("e1", 0), Parent(0)]);

        Assert.Equal("a/r", decision.Target);
    }

    [Fact]
    public void Decide_AtTheHopLimit_RunsHereWhateverTheLoad()
    {
        var decision = Planner.Decide(Request(inFlight: 50, hops: 2), [Root(0)]);

        Assert.Equal(SpillDecision.Here("hop limit (3 sites)"), decision);
    }

    [Fact]
    public void Decide_HopsAsLargeAsAnIntHolds_RunsHere()
    {
        var decision = Planner.Decide(Request(inFlight: 50, hops: int.MaxValue), [Root(0)]);

        Assert.Equal(SpillDecision.Here("hop limit (3 sites)"), decision);
    }

    [Fact]
    public void Decide_PolicyLocal_RunsHereWhateverTheLoad()
    {
        var decision = Planner.Decide(Request(inFlight: 50, policy: SpillPolicy.Local), [Sibling("e2", 0)]);

        Assert.Equal(SpillDecision.Here("policy local"), decision);
    }

    [Fact]
    public void Decide_PolicyCloud_GoesToTheHighestSiteServingIt_EvenIdle()
    {
        var toRoot = Planner.Decide(Request(inFlight: 0, policy: SpillPolicy.Cloud), [Sibling("e2", 0), Parent(0), Root(0)]);
        var atTop = Planner.Decide(Request(inFlight: 0, policy: SpillPolicy.Cloud, hops: 1), []);

        Assert.Equal(new SpillDecision("a", "policy cloud"), toRoot);
        Assert.Equal(SpillDecision.Here("policy cloud: no site above serves the function"), atTop);
    }

    [Theory]
    [InlineData(0, 2, 0)]
    [InlineData(1, 2, 0)]
    [InlineData(2, 2, 5)]
    [InlineData(5, 2, 20)]
    [InlineData(3, 1, 30)]
    public void Wait_IsProcessorSharing(int inFlight, int capacity, double expectedMs)
    {
        Assert.Equal(expectedMs, SpillPlanner.Wait(Service, inFlight, capacity).TotalMilliseconds, 9);
    }

    [Theory]
    [InlineData(null, true, SpillPolicy.Spill)]
    [InlineData("spill", true, SpillPolicy.Spill)]
    [InlineData("local", true, SpillPolicy.Local)]
    [InlineData("cloud", true, SpillPolicy.Cloud)]
    [InlineData("Cloud", false, SpillPolicy.Spill)]
    [InlineData("edge", false, SpillPolicy.Spill)]
    public void TryParse_SpecValues(string? value, bool ok, SpillPolicy expected)
    {
        Assert.Equal((ok, expected), (SpillPolicies.TryParse(value, out var policy), policy));
    }
}
