using Fornax.Testing;

namespace Fornax.Functions.Tests;

/// <summary>Runs alone: the pool's minimum and the long-guest count are process-wide, and other classes' loops would move them.</summary>
[CollectionDefinition(nameof(LongGuestTests), DisableParallelization = true)]
public sealed class LongGuestCollection;

[Collection(nameof(LongGuestTests))]
public sealed class LongGuestTests : IDisposable
{
    private readonly TestRuntime _fx = new(o => o with { EpochTick = TimeSpan.FromMilliseconds(2) });

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task InvokeAsync_GuestPastLongGuestAfter_RaisesThePoolMinimumUntilItEnds()
    {
        var loop = await _fx.LoadAsync("loop", Guests.Loop, limits: new(Timeout: TimeSpan.FromSeconds(2)));
        var hello = await _fx.LoadAsync("hello", Guests.Hello);
        ThreadPool.GetMinThreads(out var before, out _);

        Assert.Equal(InvocationOutcome.Ok, (await _fx.InvokeAsync(hello)).Outcome);
        Assert.Equal(0, LongGuestThreads.Count);
        var running = Task.Factory.StartNew(() => _fx.InvokeAsync(loop).Result, TaskCreationOptions.LongRunning);
        await Poll.UntilAsync(() => LongGuestThreads.Count == 1, "the loop to count as a long guest");
        ThreadPool.GetMinThreads(out var during, out _);
        var result = await running;
        ThreadPool.GetMinThreads(out var after, out _);

        Assert.Equal(InvocationOutcome.Timeout, result.Outcome);
        Assert.True(during > before, $"the minimum stayed at {during} while a guest ran long");
        Assert.Equal((0, before), (LongGuestThreads.Count, after));
    }

    [Fact]
    public async Task InvokeAsync_AfterTheTickerParked_WakesItAndStillTimesOut()
    {
        var hello = await _fx.LoadAsync("hello", Guests.Hello);
        var loop = await _fx.LoadAsync("loop", Guests.Loop, limits: new(Timeout: TimeSpan.FromMilliseconds(100)));
        Assert.Equal(InvocationOutcome.Ok, (await _fx.InvokeAsync(hello)).Outcome);
        // 100 idle ticks of 2 ms: the ticker parks about 200 ms after the last guest.
        await Poll.UntilAsync(() => _fx.Runtime.EpochTickerParked, "the epoch ticker to park");

        // A parked ticker that failed to wake would leave this loop spinning forever: bound the wait instead of hanging.
        var result = await Task.Run(() => _fx.InvokeAsync(loop)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((InvocationOutcome.Timeout, "timed out after 100 ms"), (result.Outcome, result.Message));
    }}
