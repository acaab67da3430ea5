using System.Collections.Concurrent;
using Fornax.Functions.Wasi;
using Wasmtime;

namespace Fornax.Functions;

/// <summary>
/// The Wasm engine of one site: one Wasmtime <see cref="Engine"/> (pooling allocator, epoch interruption), a compile cache
/// keyed by module digest (in memory and on disk), and invocation in a fresh sandboxed instance per request.
/// DI-free; the node wires it. Thread-safe. See docs/functions.md.
/// </summary>
public sealed partial class FunctionRuntime : IDisposable
{
    private readonly FunctionRuntimeOptions _options;
    private readonly Engine _engine;
    private readonly nint _engineHandle;
    private readonly Linker _linker;
    private readonly EpochTicker _epochTicker;
    private readonly FunctionMetrics _metrics;
    private readonly string _engineKey;
    private readonly ConcurrentDictionary<string, FunctionCounters> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LoadedFunction> _functions = new(StringComparer.Ordinal);
    private readonly Func<InvocationContext, ulong?> _onDeadline;
    private int _disposed;

    public FunctionRuntime(FunctionRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        (_engine, _engineKey) = CreateEngine(options);
        _engineHandle = Native.BindingInternals.Handle(_engine);
        _metrics = new FunctionMetrics(options.MeterFactory, () => _counters);

        // One linker for the whole runtime: it holds only host definitions (WASI and the host's own), which read
        // per-request state from the Store, so every module and request shares it. Each module is linked against it once,
        // at load, into an InstancePre (Native/), so a request never builds a linker (wasmtime #2295) nor resolves imports.
        _linker = new Linker(_engine);
        _linker.DefineWasi();
        HostWasi.Define(_linker);
        State.HostState.Define(Native.BindingInternals.Handle(_linker));

        // Epoch interruption is the only way to stop a guest spinning in compiled code, and it must advance on real time:
        // a timeout is a wall-clock promise to the HTTP client. Tests may pass a fake TimeProvider and advance it by hand.
        _epochTicker = new EpochTicker(_engine, options.TimeProvider, options.EpochTick);
        _onDeadline = OnDeadline;
    }

    public FunctionRuntimeOptions Options => _options;

    /// <summary>True while the epoch ticker sleeps because no guest has run for a while (see <see cref="EpochTicker"/>).</summary>
    internal bool EpochTickerParked => _epochTicker.Parked;

    /// <summary>The meter instruments are published on (name "Fornax.Functions").</summary>
    public System.Diagnostics.Metrics.Meter Meter => _metrics.Meter;

    /// <summary>Counts for a function, or null if no function of that name was loaded.</summary>
    public FunctionStats? GetStats(string name) =>
        _functions.TryGetValue(name, out var fn) ? fn.Counters.Snapshot(name, fn.Digest, fn.InFlight) : null;

    /// <summary>Counts for every loaded function, by name.</summary>
    public IReadOnlyList<FunctionStats> GetAllStats() =>
        [.. _functions.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => f.Counters.Snapshot(f.Name, f.Digest, f.InFlight))];

    /// <summary>Module counts: compiles, disk cache loads, modules held.</summary>
    public RuntimeStats GetRuntimeStats() =>
        new(Interlocked.Read(ref _compiles), Interlocked.Read(ref _diskCacheLoads), _modules.Count, _functions.Count);

    /// <summary>Forgets a function's registration (its stats); its module stays cached while other functions use the digest.</summary>
    public bool Unload(string name) => _functions.TryRemove(name, out _);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _epochTicker.Dispose();
        foreach (var entry in _modules.Values)
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully) entry.Value.Result.Dispose();
        _linker.Dispose();
        _engine.Dispose();
        _metrics.Dispose();
    }

    private static ulong DeadlineTicks(TimeSpan timeout, TimeSpan tick) =>
        (ulong)Math.Clamp(Math.Ceiling(timeout / tick), 1, int.MaxValue);

    /// <summary>
    /// Runs when a store reaches its epoch deadline. Epochs only approximate time (a late or catching-up ticker moves them
    /// unevenly), so the deadline is a hint to look at the clock: stop the guest if its timeout has really passed, else
    /// sleep on for the ticks that remain. A guest is thus never stopped early, and late by at most about one tick.
    /// The first deadline comes at <see cref="FunctionRuntimeOptions.LongGuestAfter"/>: from then on the guest is long and
    /// holds a compensating pool thread until it ends (<see cref="LongGuestThreads"/>).
    /// </summary>
    private ulong? OnDeadline(InvocationContext context)
    {
        var remaining = context.Timeout - _options.TimeProvider.GetElapsedTime(context.Started);
        if (remaining > TimeSpan.Zero)
        {
            if (!context.CountedLong)
            {
                context.CountedLong = true;
                context.LongThreadsAdded = LongGuestThreads.Began();
            }

            return DeadlineTicks(remaining, _options.EpochTick);
        }

        context.TimedOut = true;
        return null;
    }
}
