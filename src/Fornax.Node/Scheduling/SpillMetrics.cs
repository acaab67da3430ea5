using System.Diagnostics.Metrics;

namespace Fornax.Node.Scheduling;

/// <summary>
/// Spill-out on <c>/metrics</c> (meter <c>Fornax.Scheduling</c>, made through the site's factory so a process of many
/// sites shows each its own): invocations this site sent elsewhere, by function and the site that ran them, and those it
/// meant to send but ran here because the target could not be reached or no longer served the function.
/// </summary>
/// <remarks>
/// The two counters are made at the first spill decision, not with the site: each instrument a site publishes costs the
/// metrics exporter a fixed table of its cardinality limit (about 170 KB, allocated, cleared and kept), and a site that
/// never spills would hold it for counters that stay empty (docs/benchmarks.md, "Native AOT release build").
/// </remarks>
internal sealed class SpillMetrics(IMeterFactory factory) : IDisposable
{
    private readonly Lock _gate = new();
    private Meter? _meter;
    private Counter<long>? _spilled;
    private Counter<long>? _notSpilled;
    private bool _disposed;

    public void Spilled(string function, string site) =>
        Counters()?.Spilled.Add(1, new KeyValuePair<string, object?>("function", function), new KeyValuePair<string, object?>("site", site));

    public void SpillFailed(string function, string site) =>
        Counters()?.NotSpilled.Add(1, new KeyValuePair<string, object?>("function", function), new KeyValuePair<string, object?>("site", site));

    /// <summary>The counters, made on first use; null once the site is disposed.</summary>
    private (Counter<long> Spilled, Counter<long> NotSpilled)? Counters()
    {
        if (Volatile.Read(ref _notSpilled) is { } notSpilled)
        {
            return (_spilled!, notSpilled);
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            if (_meter is null)
            {
                _meter = factory.Create("Fornax.Scheduling");
                _spilled = _meter.CreateCounter<long>("fornax.scheduling.spilled", description: "Invocations this site forwarded to another site, which answered");
                Volatile.Write(ref _notSpilled, _meter.CreateCounter<long>("fornax.scheduling.spill_failed", description: "Invocations this site meant to forward but ran here (the target unreachable or no longer serving)"));
            }

            return (_spilled!, _notSpilled!);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _meter?.Dispose();
        }
    }
}
