using Wasmtime;

namespace Fornax.Functions;

/// <summary>
/// Advances the engine's epoch every tick; a store's deadline is a number of ticks, so this is what stops a spinning guest.
/// On the system clock it runs on its own thread, not a thread-pool timer: guests run synchronously on pool threads, and a
/// pool starved by spinning guests would delay the very ticks that stop them (seen in tests: a 300 ms timeout took 3 s).
/// With any other <see cref="TimeProvider"/> (a test's fake clock) it uses that provider's timer, so tests drive it by hand.
/// <para>
/// The thread parks after <see cref="IdleTicksBeforePark"/> ticks with no guest running and wakes when the next one
/// enters: a site with no traffic (or no functions) then costs no wake-ups at all — a thousand sites in one process
/// ticking 100 times a second each would keep a core busy doing nothing. Deadlines are relative to the epoch a guest
/// starts at, so the ticks skipped while parked change no deadline.
/// </para>
/// </summary>
internal sealed class EpochTicker : IDisposable
{
    /// <summary>One second of quiet at the default tick: long enough that steady traffic never parks the thread.</summary>
    internal const int IdleTicksBeforePark = 100;

    private readonly Engine _engine;
    private readonly ITimer? _timer;
    private readonly Thread? _thread;
    private readonly ManualResetEventSlim _stop = new();
    private readonly SemaphoreSlim _wake = new(0, 1);
    private int _running;
    private volatile bool _parked;

    public EpochTicker(Engine engine, TimeProvider timeProvider, TimeSpan tick)
    {
        _engine = engine;
        if (timeProvider == TimeProvider.System)
        {
            _thread = new Thread(() => Run(tick)) { IsBackground = true, Name = "Fornax.Functions epoch ticker", Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }
        else
        {
            _timer = timeProvider.CreateTimer(static state => ((Engine)state!).IncrementEpoch(), engine, tick, tick);
        }
    }

    /// <summary>True while the ticker thread sleeps for lack of guests (for tests and diagnostics).</summary>
    internal bool Parked => _parked;

    /// <summary>A guest is about to run: make sure epochs advance.</summary>
    public void Enter()
    {
        // Interlocked is a full fence, and Park sets _parked before it reads _running: one of the two always sees the other.
        Interlocked.Increment(ref _running);
        if (_parked) Wake();
    }

    /// <summary>A guest finished.</summary>
    public void Exit() => Interlocked.Decrement(ref _running);

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another guest already woke it.
        }
    }

    private void Run(TimeSpan tick)
    {
        // The epoch follows the wall clock (epoch = elapsed / tick), not the count of wake-ups: on a loaded host a wake-up
        // can come 50 ms late, and one increment per wake-up would stretch every timeout by that much each tick.
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        long epoch = 0;
        int idle = 0;
        // The wait doubles as the stop signal: it returns true (and the loop ends) as soon as Dispose sets it.
        while (!_stop.Wait(tick))
        {
            long due = (long)(System.Diagnostics.Stopwatch.GetElapsedTime(started) / tick);
            for (; epoch < due; epoch++) _engine.IncrementEpoch();

            idle = Volatile.Read(ref _running) == 0 ? idle + 1 : 0;
            if (idle >= IdleTicksBeforePark)
            {
                idle = 0;
                if (!Park()) return;
                // Resume the wall-clock schedule from now: the parked time is not owed as a burst of ticks.
                started = System.Diagnostics.Stopwatch.GetTimestamp() - (long)(epoch * tick.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            }
        }
    }

    /// <summary>Sleeps until a guest enters; false when the ticker is being disposed.</summary>
    private bool Park()
    {
        _parked = true;
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _running) == 0)
        {
            WaitHandle.WaitAny([_wake.AvailableWaitHandle, _stop.WaitHandle]);
            if (_stop.IsSet) return false;
            _wake.Wait(0);
        }

        _parked = false;
        return true;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stop.Set();
        _thread?.Join();
        _stop.Dispose();
        _wake.Dispose();
    }
}
