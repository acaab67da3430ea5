using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Fornax.Node.Tests;

/// <summary>Runs alone: its one timing assertion measures the site, not the other test classes sharing two cores.</summary>
[CollectionDefinition(nameof(FunctionTimeoutTests), DisableParallelization = true)]
public sealed class FunctionTimeoutCollection;

[Collection(nameof(FunctionTimeoutTests))]
public sealed class FunctionTimeoutTests
{
    [Fact]
    public async Task Invoke_InfiniteLoop_StoppedWithinTimeoutPlus50msWhileOtherInvocationsSucceed()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("loop", "misbehave/loop.wasm", "  limits: {timeout: 300ms}\n");
        await site.DeployAsync("counter", "counter/counter.wasm");
        using var ingress = site.Ingress();
        using var others = site.Ingress();
        // Warm both paths (JIT, connections) so the timed request measures the guest, not the first request's set-up.
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await ingress.SendAsync(HttpMethod.Get, "/fn/loop")).Status);
        Assert.Equal("1\n", await others.GetStringAsync("/fn/counter"));

        using var stop = new CancellationTokenSource();
        var succeeded = 0;
        var failed = 0;
        var background = Task.Run(async () =>
        {
            // Steady load (one request per 5 ms), not a saturating loop: it shows the others answering, and leaves
            // the 2-core CI box's CPU to the epoch ticker whose punctuality this test measures.
            using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
            while (!stop.IsCancellationRequested && await pace.WaitForNextTickAsync(CancellationToken.None))
            {
                var (status, body) = await others.SendAsync(HttpMethod.Get, "/fn/counter");
                Interlocked.Increment(ref status == HttpStatusCode.OK && body == "1\n" ? ref succeeded : ref failed);
            }
        });
        await TestSite.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref succeeded) > 0), "the other function to answer");

        var before = Volatile.Read(ref succeeded);
        var stopwatch = Stopwatch.StartNew();
        using var loop = await ingress.GetAsync("/fn/loop");
        var elapsed = stopwatch.Elapsed;
        var (loopStatus, loopBody) = (loop.StatusCode, await loop.Content.ReadAsStringAsync());
        var guest = loop.Headers.GetValues("Server-Timing").Single();
        var during = Volatile.Read(ref succeeded) - before;
        await stop.CancelAsync();
        await background;

        Assert.Equal((HttpStatusCode.GatewayTimeout, "timed out after 300 ms\n"), (loopStatus, loopBody));
        // The one timing assertion the issue asks for, measured by the HTTP client: timeout ≤ elapsed ≤ timeout + 50 ms.
        Assert.True(elapsed.TotalMilliseconds is >= 300 and <= 350, $"answered after {elapsed.TotalMilliseconds:0.0} ms (Server-Timing: {guest})");
        Assert.InRange(double.Parse(guest["fn;dur=".Length..], CultureInfo.InvariantCulture), 300, 350);
        Assert.True(during > 0, "the other function kept answering while the loop ran");
        Assert.Equal(0, failed);
    }
}
