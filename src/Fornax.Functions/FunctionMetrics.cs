using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fornax.Functions;

/// <summary>The "Fornax.Functions" meter. Instrument names and tags are listed in docs/functions.md ("Metrics").</summary>
internal sealed class FunctionMetrics : IDisposable
{
    public const string MeterName = "Fornax.Functions";

    private readonly Meter _meter;
    private readonly Counter<long> _invocations;
    private readonly Counter<long> _instantiations;
    private readonly Counter<long> _compiles;
    private readonly Counter<long> _traps;
    private readonly Counter<long> _timeouts;
    private readonly Histogram<double> _duration;

    public FunctionMetrics(IMeterFactory? factory)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _invocations = _meter.CreateCounter<long>("fornax.functions.invocations", "{invocation}", "Invocations by function and outcome.");
        _instantiations = _meter.CreateCounter<long>("fornax.functions.instantiations", "{instance}", "Fresh instances created (one per admitted invocation).");
        _compiles = _meter.CreateCounter<long>("fornax.functions.compiles", "{module}", "Modules made ready, by source: compiled or disk (the compile cache).");
        _traps = _meter.CreateCounter<long>("fornax.functions.traps", "{trap}", "Guest traps by function and kind.");
        _timeouts = _meter.CreateCounter<long>("fornax.functions.timeouts", "{timeout}", "Invocations stopped at their deadline.");
        _duration = _meter.CreateHistogram<double>("fornax.functions.duration", "s", "Invocation duration, instantiation included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>
    /// Seconds, 10 µs to 10 s in 1-2.5-5 steps. Without this advice exporters use OpenTelemetry's defaults (0, 5, 10, …,
    /// 10000), meant for milliseconds, which put every invocation of a microsecond-scale function in the first bucket.
    /// </summary>
    internal static readonly double[] DurationBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public Meter Meter => _meter;

    public void Invoked(string function, InvocationResult result, bool instantiated)
    {
        var tags = new TagList { { "function", function }, { "outcome", OutcomeTag(result.Outcome) } };
        _invocations.Add(1, tags);
        _duration.Record(result.Duration.TotalSeconds, tags);
        if (instantiated) _instantiations.Add(1, new KeyValuePair<string, object?>("function", function));
        if (result.Outcome == InvocationOutcome.Trap)
            _traps.Add(1, new("function", function), new("kind", result.TrapKind));
        else if (result.Outcome == InvocationOutcome.Timeout)
            _timeouts.Add(1, new KeyValuePair<string, object?>("function", function));
    }

    public void ModuleReady(bool fromDisk) => _compiles.Add(1, new KeyValuePair<string, object?>("source", fromDisk ? "disk" : "compiled"));

    internal static string OutcomeTag(InvocationOutcome outcome) => outcome switch
    {
        InvocationOutcome.Ok => "ok",
        InvocationOutcome.Trap => "trap",
        InvocationOutcome.Timeout => "timeout",
        InvocationOutcome.MemoryLimit => "memory_limit",
        InvocationOutcome.OutputTooLarge => "output_too_large",
        InvocationOutcome.TooManyRequests => "too_many_requests",
        InvocationOutcome.InvalidResponse => "invalid_response",
        _ => "unknown",
    };

    public void Dispose() => _meter.Dispose();
}
