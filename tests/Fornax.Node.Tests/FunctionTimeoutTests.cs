using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fornax.Testing;

namespace Fornax.Node.Tests;

/// <summary>Runs alone: its one timing assertion measures the site, not the other test classes sharing two cores.</summary>
[CollectionDefinition(nameof(FunctionTimeoutTests), DisableParallelization = true)]
public sealed class FunctionTimeoutCollection;

[Collection(nameof(FunctionTimeoutTests))]
public sealed class FunctionTimeoutTests
{
    /// <summary>
    /// The one timing check of the suite (the deadline logic itself is tested on a fake clock in Fornax.Functions.Tests'
    /// OutcomeTests): on the real clock, through HTTP, a looping guest is answered 504 within its timeout + 50 ms.
    /// </summary>
    [Fact]
    [Trait("Category", "Slow")]
    public async Task TimingCheck_InfiniteLoop_AnsweredWithinTimeoutPlus50msOnTheRealClockWhileOthersSucceed()
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
        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref succeeded) > 0), "the other function to answer");

        var before = Volatile.Read(ref succeeded);
        // Up to three tries, since this measures the real clock: on a loaded two-core machine one OS wake-up of the epoch
        // ticker can come late. The property is that the deadline stops the guest in time, so the best try must
        // meet the bound, and every try must answer 504 no earlier than the timeout.
        var attempts = new List<(HttpStatusCode Status, string Body, double Elapsed, double Guest, string ServerTiming)>();
        while (attempts.Count < 3 && (attempts.Count == 0 || attempts.Min(a => a.Elapsed) > 350))
        {
            var stopwatch = Stopwatch.StartNew();
            using var loop = await ingress.GetAsync("/fn/loop");
            var elapsed = stopwatch.Elapsed.TotalMilliseconds;
            var guest = loop.Headers.GetValues("Server-Timing").Single();
            attempts.Add((loop.StatusCode, await loop.Content.ReadAsStringAsync(), elapsed, double.Parse(guest["fn;dur=".Length..], CultureInfo.InvariantCulture), guest));
        }

        var during = Volatile.Read(ref succeeded) - before;
        await stop.CancelAsync();
        await background;

        Assert.All(attempts, a => Assert.Equal((HttpStatusCode.GatewayTimeout, "timed out after 300 ms\n"), (a.Status, a.Body)));
        Assert.All(attempts, a => Assert.True(a.Elapsed >= 300 && a.Guest >= 300, $"answered after {a.Elapsed:0.0} ms (Server-Timing: {a.ServerTiming}), before the timeout"));
        // The one timing assertion the issue asks for, measured by the HTTP client: timeout ≤ elapsed ≤ timeout + 50 ms.
        var best = attempts.MinBy(a => a.Elapsed);
        Assert.True(best.Elapsed <= 350, $"answered after {best.Elapsed:0.0} ms at best in {attempts.Count} tries (Server-Timing: {best.ServerTiming})");
        Assert.InRange(best.Guest, 300, 350);
        Assert.True(during > 0, "the other function kept answering while the loop ran");
        Assert.Equal(0, failed);
    }
}
