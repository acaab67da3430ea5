using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Fornax.Functions;

/// <summary>The "Fornax.Functions" meter. Instrument names and tags are listed in docs/functions.md ("Metrics").</summary>
internal sealed class FunctionMetrics : IDisposable
{
    public const string MeterName = "Fornax.Functions";

    private readonly Meter _meter;
    private readonly Counter<long> _compiles;
    private readonly Counter<long> _traps;
    private readonly Counter<long> _timeouts;
    private readonly Histogram<double> _duration;

    /// <summary>
    /// The two per-request counts (invocations by outcome, instantiations) are observed from the runtime's own
    /// <see cref="FunctionCounters"/> when an exporter collects, not added per request: each <c>Add</c> with tags is a
    /// lookup in OpenTelemetry's aggregator, about half a microsecond per request each in a profile under load, for numbers
    /// the runtime counts anyway. The duration histogram and the rare counts (traps, timeouts) are recorded as they happen.
    /// </summary>
    public FunctionMetrics(IMeterFactory? factory, Func<IEnumerable<KeyValuePair<string, FunctionCounters>>> counters)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("fornax.functions.invocations", () => Invocations(counters()), "{invocation}", "Invocations by function and outcome.");
        _meter.CreateObservableCounter("fornax.functions.instantiations", () => Instantiations(counters()), "{instance}", "Fresh instances created (one per admitted invocation).");
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

    public void Invoked(string function, InvocationResult result)
    {
        var tags = new TagList { { "function", function }, { "outcome", OutcomeTag(result.Outcome) } };
        _duration.Record(result.Duration.TotalSeconds, tags);
        if (result.Outcome == InvocationOutcome.Trap)
            _traps.Add(1, new("function", function), new("kind", result.TrapKind));
        else if (result.Outcome == InvocationOutcome.Timeout)
            _timeouts.Add(1, new KeyValuePair<string, object?>("function", function));
    }

    private static IEnumerable<Measurement<long>> Invocations(IEnumerable<KeyValuePair<string, FunctionCounters>> counters)
    {
        foreach (var (function, counts) in counters)
            foreach (var outcome in Enum.GetValues<InvocationOutcome>())
                if (counts.Count(outcome) is var n and > 0)
                    yield return new(n, new("function", function), new("outcome", OutcomeTag(outcome)));
    }

    private static IEnumerable<Measurement<long>> Instantiations(IEnumerable<KeyValuePair<string, FunctionCounters>> counters)
    {
        foreach (var (function, counts) in counters)
            if (counts.Instantiations is var n and > 0)
                yield return new(n, new KeyValuePair<string, object?>("function", function));
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
