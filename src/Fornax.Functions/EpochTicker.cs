using Wasmtime;

namespace Fornax.Functions;

/// <summary>
/// Advances the engine's epoch every tick; a store's deadline is a number of ticks, so this is what stops a spinning guest.
/// On the system clock it runs on its own thread, not a thread-pool timer: guests run synchronously on pool threads, and a
/// pool starved by spinning guests would delay the very ticks that stop them (seen in tests: a 300 ms timeout took 3 s).
/// With any other <see cref="TimeProvider"/> (a test's fake clock) it uses that provider's timer, so tests drive it by hand.
/// </summary>
internal sealed class EpochTicker : IDisposable
{
    private readonly Engine _engine;
    private readonly ITimer? _timer;
    private readonly Thread? _thread;
    private readonly ManualResetEventSlim _stop = new();

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

    private void Run(TimeSpan tick)
    {
        // The epoch follows the wall clock (epoch = elapsed / tick), not the count of wake-ups: on a loaded host a wake-up
        // can come 50 ms late, and one increment per wake-up would stretch every timeout by that much each tick.
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        long epoch = 0;
        // The wait doubles as the stop signal: it returns true (and the loop ends) as soon as Dispose sets it.
        while (!_stop.Wait(tick))
        {
            long due = (long)(System.Diagnostics.Stopwatch.GetElapsedTime(started) / tick);
            for (; epoch < due; epoch++) _engine.IncrementEpoch();
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stop.Set();
        _thread?.Join();
        _stop.Dispose();
    }
}
