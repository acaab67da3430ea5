using System.Text;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Functions.Tests;

public sealed class OutcomeTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task InvokeAsync_Unreachable_ReturnsTrap()
    {
        var fn = await _fx.LoadAsync("trap", Guests.Trap);

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.Trap, 500, "unreachable"), (result.Outcome, result.StatusCode, result.TrapKind));
        Assert.Equal("function trapped: unreachable", result.Message);
        Assert.Equal(1, _fx.Runtime.GetStats("trap")!.Traps);
    }

    [Fact]
    public async Task InvokeAsync_OutOfBoundsLoad_ReturnsTrapNamingKind()
    {
        var fn = await _fx.LoadAsync("oob", Guests.Wat("""
            (module (memory (export "memory") 1)
              (func (export "_start") (drop (i32.load (i32.const 0x7ffffff0)))))
            """));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.Trap, "out of bounds memory access"), (result.Outcome, result.TrapKind));
    }

    [Fact]
    public async Task InvokeAsync_InfiniteLoop_ReturnsTimeout()
    {
        var fn = await _fx.LoadAsync("loop", Guests.Loop, limits: new(Timeout: TimeSpan.FromMilliseconds(100)));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.Timeout, 504, "timed out after 100 ms"), (result.Outcome, result.StatusCode, result.Message));
        Assert.Equal(1, _fx.Runtime.GetStats("loop")!.Timeouts);
    }

    [Fact]
    public async Task InvokeAsync_InfiniteLoopOnAFakeClock_StopsOnlyOnceTheTimeoutHasPassedWhileOthersSucceed()
    {
        // The clock moves only when the test advances it, so "never before the timeout" and "within 50 ms after it" are
        // exact statements about the deadline mechanism, not about the OS scheduler (the real-clock bound is the one
        // timing check, Fornax.Node.Tests' FunctionTimeoutTests).
        var time = new FakeTimeProvider();
        using var fx = new TestRuntime(options => options with { TimeProvider = time });
        var timeout = TimeSpan.FromMilliseconds(300);
        var tick = fx.Runtime.Options.EpochTick;
        var loop = await fx.LoadAsync("loop", Guests.Loop, limits: new(Timeout: timeout));
        var hello = await fx.LoadAsync("hello", Guests.Hello);
        var running = Task.Factory.StartNew(() => fx.Runtime.InvokeAsync(loop, new InvocationRequest()).AsTask().GetAwaiter().GetResult(),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Poll.UntilAsync(() => loop.InFlight == 1, "the loop to start");

        // Held by the clock, the loop is certainly running while another function answers.
        var other = await fx.InvokeAsync(hello);
        try
        {
            await Poll.UntilAsync(() =>
            {
                if (running.IsCompleted)
                {
                    return true;
                }

                // One epoch tick per poll: the guest looks at the clock at each deadline it reaches.
                time.Advance(tick);
                return false;
            }, "the loop to stop as the fake clock passes its timeout");
        }
        finally
        {
            // Should the loop outlive the poll, far past its timeout it stops, rather than spin on after the test.
            time.Advance(timeout * 10);
        }

        var result = await running;

        Assert.Equal(InvocationOutcome.Ok, other.Outcome);
        Assert.Equal((InvocationOutcome.Timeout, "timed out after 300 ms"), (result.Outcome, result.Message));
        // Duration is read on the same fake clock: it is when the guest was stopped.
        Assert.InRange(result.Duration, timeout, timeout + TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task InvokeAsync_MemoryBomb_ReturnsMemoryLimitNamingTheLimit()
    {
        var fn = await _fx.LoadAsync("bomb", Guests.MemoryBomb, limits: new(MemoryBytes: 16 * 1024 * 1024));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.MemoryLimit, 500), (result.Outcome, result.StatusCode));
        Assert.Equal("memory limit of 16 MiB exceeded", result.Message);
    }

    [Fact]
    public async Task InvokeAsync_InitialMemoryOverLimit_ReturnsMemoryLimit()
    {
        // 512 pages = 32 MiB of initial memory against a 16 MiB limit: instantiation itself is refused.
        var fn = await _fx.LoadAsync("big", Guests.Wat("""(module (memory (export "memory") 512) (func (export "_start")))"""),
            limits: new(MemoryBytes: 16 * 1024 * 1024));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal(InvocationOutcome.MemoryLimit, result.Outcome);
    }

    [Fact]
    public async Task InvokeAsync_HugeOutput_ReturnsOutputTooLarge()
    {
        var fn = await _fx.LoadAsync("big", Guests.BigOutput);

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.OutputTooLarge, 500), (result.Outcome, result.StatusCode));
        Assert.Equal("response exceeded the output cap of 1 MiB", result.Message);
        Assert.True(result.Body.IsEmpty);
    }

    [Fact]
    public async Task InvokeAsync_GuestOpensFile_IsDeniedWithBadFileDescriptor()
    {
        var fn = await _fx.LoadAsync("open", Guests.OpenFile);

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        // errno 8 = EBADF: there is no preopened directory to open anything under.
        Assert.Equal("prestat=8 open=8\n", Encoding.UTF8.GetString(result.Body.Span));
    }

    [Fact]
    public async Task InvokeAsync_OverConcurrencyLimit_ReturnsTooManyRequestsAtOnce()
    {
        var fn = await _fx.LoadAsync("loop", Guests.Loop, limits: new(Timeout: TimeSpan.FromSeconds(2), MaxConcurrency: 1));
        var first = Task.Run(() => _fx.InvokeAsync(fn));
        await Poll.UntilAsync(() => fn.InFlight == 1, "the first call to be in flight", TimeSpan.FromSeconds(5));

        var second = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.TooManyRequests, 429), (second.Outcome, second.StatusCode));
        Assert.Equal("function 'loop' is at its concurrency limit of 1", second.Message);
        Assert.Equal(InvocationOutcome.Timeout, (await first.WaitAsync(TimeSpan.FromSeconds(10))).Outcome);
        Assert.Equal(1, _fx.Runtime.GetStats("loop")!.TooManyRequests);
    }

    [Fact]
    public async Task InvokeAsync_StderrOverCap_IsTruncatedAndRequestSucceeds()
    {
        using var fx = new TestRuntime(o => o with { StderrLimitBytes = 4 });
        var fn = await fx.LoadAsync("log", Guests.Wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 64) "0123456789")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 64)) (i32.store (i32.const 4) (i32.const 10))
                (drop (call $w (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """));

        var result = await fx.InvokeAsync(fn);

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.Equal("0123\n[stderr truncated]", result.Stderr);
    }}
