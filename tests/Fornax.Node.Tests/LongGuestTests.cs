using System.Net;
using Fornax.Testing;

namespace Fornax.Node.Tests;

/// <summary>In the timeout collection: it spins several cores' worth of guests and must not share the machine with timing tests.</summary>
[Collection(nameof(FunctionTimeoutTests))]
public sealed class LongGuestTests
{
    [Fact]
    public async Task Invoke_ManyLoopingGuests_EachHoldsAPoolThreadAndOtherFunctionsStillAnswer()
    {
        // Three times the cores: past its minimum (the core count) the pool adds a thread only every ~500 ms on its own,
        // so these guests would queue behind each other and behind Kestrel. Each must get its own thread at once.
        var loops = Environment.ProcessorCount * 3;
        var timeout = TimeSpan.FromSeconds(8);
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("loop", "misbehave/loop.wasm", $"  limits: {{timeout: 8s}}\n  scale: {{maxConcurrency: {loops}}}\n");
        await site.DeployAsync("counter", "counter/counter.wasm");
        using var others = site.Ingress();
        Assert.Equal("1\n", await others.GetStringAsync("/fn/counter"));
        var minimumBefore = MinimumWorkers();

        using var spinners = site.Ingress();
        var spinning = Enumerable.Range(0, loops).Select(_ => spinners.SendAsync(HttpMethod.Get, "/fn/loop")).ToList();
        // The mechanism: at least one more pool thread per guest still running after LongGuestAfter (20 ms).
        await Poll.UntilAsync(
            async () => (await site.StatsAsync("loop"))?["inFlight"]?.GetValue<long>() == loops && MinimumWorkers() >= minimumBefore + loops,
            $"all {loops} looping guests to be running at once, each with a compensating pool thread", timeout);
        var (status, body) = await others.SendAsync(HttpMethod.Get, "/fn/counter");
        var stillSpinning = (await site.StatsAsync("loop"))?["inFlight"]?.GetValue<long>();
        var results = await Task.WhenAll(spinning);
        var minimumAfter = MinimumWorkers();

        Assert.Equal((HttpStatusCode.OK, "1\n"), (status, body));
        Assert.Equal(loops, stillSpinning);
        Assert.Equal(minimumBefore, minimumAfter);
        Assert.All(results, r => Assert.Equal((HttpStatusCode.GatewayTimeout, "timed out after 8 s\n"), r));
    }

    private static int MinimumWorkers()
    {
        ThreadPool.GetMinThreads(out var workers, out _);
        return workers;
    }
}
