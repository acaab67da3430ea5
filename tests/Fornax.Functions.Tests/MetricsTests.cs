using System.Diagnostics.Metrics;

namespace Fornax.Functions.Tests;

public sealed class MetricsTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task InvokeAsync_OkAndTrap_RecordsInvocationsByOutcomeAndDuration()
    {
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, _fx.Runtime.Meter)) l.EnableMeasurementEvents(instrument);
        };
        void Record<T>(Instrument i, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? _) where T : struct
        {
            lock (measurements) measurements.Add((i.Name, Convert.ToDouble(value), tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        }
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.Start();
        var hello = await _fx.LoadAsync("hello", Guests.Hello);
        var trap = await _fx.LoadAsync("trap", Guests.Trap);

        await _fx.InvokeAsync(hello);
        await _fx.InvokeAsync(trap);
        listener.RecordObservableInstruments(); // invocations and instantiations are observed when collected

        lock (measurements)
        {
            Assert.Contains(measurements, m => m.Instrument == "fornax.functions.invocations"
                && (string?)m.Tags["function"] == "hello" && (string?)m.Tags["outcome"] == "ok");
            Assert.Contains(measurements, m => m.Instrument == "fornax.functions.traps"
                && (string?)m.Tags["function"] == "trap" && (string?)m.Tags["kind"] == "unreachable");
            Assert.Equal(2, measurements.Count(m => m.Instrument == "fornax.functions.duration" && m.Value > 0));
            Assert.Equal(2, measurements.Count(m => m.Instrument == "fornax.functions.instantiations"));
            Assert.Contains(measurements, m => m.Instrument == "fornax.functions.compiles" && (string?)m.Tags["source"] == "compiled");
        }
        var stats = _fx.Runtime.GetStats("hello")!;
        Assert.Equal((1L, 1L, 0L), (stats.Invocations, stats.Ok, stats.InFlight));
    }
}
