using Fornax.Scheduling.Locality;

namespace Fornax.Scheduling.Tests.Locality;

/// <summary>
/// The move-compute-or-move-data choice with made-up sizes and links: the keyspace is held at <c>a/r/e1</c> (which
/// serves the function) 10 ms away over 1 MB/s; a 64 KiB request to place at <c>a/r/e2</c>.
/// </summary>
public sealed class LocalityPlannerTests
{
    private const double MegabytePerSecond = 1e6;
    private const long Request = 64 << 10;

    private static DataSite Holder(double latencyMs = 10, double bandwidth = MegabytePerSecond, bool serves = true, string path = "a/r/e1") =>
        new(path, TimeSpan.FromMilliseconds(latencyMs), bandwidth, serves);

    private static LocalityRequest Call(FunctionSizes? seen, bool readOnly = true, long request = Request) => new("f", request, seen, readOnly);

    [Fact]
    public void Decide_SmallValueBigRequest_ReadsOverTheLink()
    {
        // Moving data: 10 ms + 1 KB / 1 MB/s = 11 ms; moving compute: 10 ms + 65.6 KB / 1 MB/s = 75.6 ms.
        var decision = LocalityPlanner.Decide(Call(new FunctionSizes(ResponseBytes: 64, Reads: 1, ReadBytes: 1000)), [Holder()]);

        Assert.Equal(new LocalityDecision(null, "a/r/e1", "reading here 11 ms < running at a/r/e1 75.6 ms",
            TimeSpan.FromMilliseconds(75.6), TimeSpan.FromMilliseconds(11)), decision);
    }

    [Fact]
    public void Decide_ValueGrowsPastTheRequest_FlipsToRunningAtTheData()
    {
        var small = LocalityPlanner.Decide(Call(new FunctionSizes(64, 1, 1000)), [Holder()]);
        var large = LocalityPlanner.Decide(Call(new FunctionSizes(64, 1, 512_000)), [Holder()]);

        Assert.Equal((true, "a/r/e1"), (small.RunHere, small.ReadFrom));
        Assert.Equal(("a/r/e1", null), (large.Target, large.ReadFrom));
        Assert.Equal(TimeSpan.FromMilliseconds(522), large.MoveData);
    }

    [Fact]
    public void Decide_LatencyGrowsWithManyReads_FlipsToRunningAtTheData()
    {
        // Three small reads a call: a round trip each. At 1 ms they beat shipping 64 KiB; at 50 ms they do not.
        var seen = new FunctionSizes(64, 3, 300);
        var fast = LocalityPlanner.Decide(Call(seen), [Holder(latencyMs: 1, bandwidth: 1e6)]);
        var slow = LocalityPlanner.Decide(Call(seen), [Holder(latencyMs: 50, bandwidth: 1e6)]);

        Assert.Equal("a/r/e1", fast.ReadFrom);
        Assert.Equal("a/r/e1", slow.Target);
    }

    [Fact]
    public void Decide_BandwidthDrops_FlipsToReadingOverTheLink()
    {
        // Two reads of 20 KB in all against shipping 65.6 KB: at 100 MB/s the bytes cost little and the extra round trip
        // decides (40.2 ms against 20.7 ms); at 1 MB/s the bytes decide (60 ms against 85.6 ms).
        var seen = new FunctionSizes(64, 2, 20_000);
        var fastLink = LocalityPlanner.Decide(Call(seen), [Holder(latencyMs: 20, bandwidth: 100e6)]);
        var slowLink = LocalityPlanner.Decide(Call(seen), [Holder(latencyMs: 20, bandwidth: 1e6)]);

        Assert.Equal("a/r/e1", fastLink.Target);
        Assert.Equal("a/r/e1", slowLink.ReadFrom);
    }

    [Fact]
    public void Decide_NothingSeen_RunsWhereTheDataIs()
    {
        var decision = LocalityPlanner.Decide(Call(null), [Holder(latencyMs: 30, path: "a"), Holder(latencyMs: 5)]);

        Assert.Equal(new LocalityDecision("a/r/e1", null, "no sizes seen yet: run where the data is"), decision);
    }

    [Fact]
    public void Decide_NothingSeenAndNoHolderServes_ReadsFromTheNearest()
    {
        var decision = LocalityPlanner.Decide(Call(null), [Holder(latencyMs: 30, serves: false, path: "a"), Holder(latencyMs: 5, serves: false)]);

        Assert.Equal(("a/r/e1", (string?)null), (decision.ReadFrom, decision.Target));
    }

    [Fact]
    public void Decide_WritingFunction_NeverReadsOverTheLink()
    {
        var decision = LocalityPlanner.Decide(Call(new FunctionSizes(64, 1, 10), readOnly: false), [Holder()]);

        Assert.Equal(("a/r/e1", (string?)null), (decision.Target, decision.ReadFrom));
    }

    [Fact]
    public void Decide_WritingFunctionNoHolderServes_UsesTheLocalStore()
    {
        var decision = LocalityPlanner.Decide(Call(new FunctionSizes(64, 1, 10), readOnly: false), [Holder(serves: false)]);

        Assert.Equal((null, null), (decision.Target, decision.ReadFrom));
    }

    [Fact]
    public void Decide_NoHolder_UsesTheLocalStore()
    {
        var decision = LocalityPlanner.Decide(Call(new FunctionSizes(64, 1, 10)), []);

        Assert.Equal(new LocalityDecision(null, null, "no site holds the keyspace: the local store"), decision);
    }

    [Fact]
    public void Decide_BusyHolder_ItsWaitCountsAgainstMovingCompute()
    {
        var seen = new FunctionSizes(64, 1, 60_000);
        var idle = LocalityPlanner.Decide(Call(seen, request: 100), [Holder()]);
        var busy = LocalityPlanner.Decide(Call(seen, request: 100), [Holder() with { Wait = TimeSpan.FromMilliseconds(200) }]);

        Assert.Equal("a/r/e1", idle.Target);
        Assert.Equal("a/r/e1", busy.ReadFrom);
    }

    [Fact]
    public void Decide_SeveralHolders_PicksTheCheapestOfEach()
    {
        var seen = new FunctionSizes(64, 1, 1000);
        var decision = LocalityPlanner.Decide(Call(seen), [Holder(latencyMs: 40, path: "a"), Holder(latencyMs: 2, serves: false, path: "a/r")]);

        Assert.Equal(("a/r", TimeSpan.FromMilliseconds(3)), (decision.ReadFrom, decision.MoveData));
        Assert.Equal(TimeSpan.FromMilliseconds(40) + TimeSpan.FromSeconds((Request + 64) / MegabytePerSecond), decision.MoveCompute);
    }
}
