using System.Diagnostics.Metrics;

namespace Fornax.Node.Scheduling;

/// <summary>
/// Spill-out on <c>/metrics</c> (meter <c>Fornax.Scheduling</c>, made through the site's factory so a process of many
/// sites shows each its own): invocations this site sent elsewhere, by function and the site that ran them, and those it
/// meant to send but ran here because the target could not be reached or no longer served the function.
/// </summary>
internal sealed class SpillMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _spilled;
    private readonly Counter<long> _notSpilled;

    public SpillMetrics(IMeterFactory factory)
    {
        _meter = factory.Create("Fornax.Scheduling");
        _spilled = _meter.CreateCounter<long>("fornax.scheduling.spilled", description: "Invocations this site forwarded to another site, which answered");
        _notSpilled = _meter.CreateCounter<long>("fornax.scheduling.spill_failed", description: "Invocations this site meant to forward but ran here (the target unreachable or no longer serving)");
    }

    public void Spilled(string function, string site) =>
        _spilled.Add(1, new KeyValuePair<string, object?>("function", function), new KeyValuePair<string, object?>("site", site));

    public void SpillFailed(string function, string site) =>
        _notSpilled.Add(1, new KeyValuePair<string, object?>("function", function), new KeyValuePair<string, object?>("site", site));

    public void Dispose() => _meter.Dispose();
}
