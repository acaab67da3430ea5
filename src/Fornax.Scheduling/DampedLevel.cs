namespace Fornax.Scheduling;

/// <summary>
/// A level (concurrency) averaged over time in a stable and a panic window, as Knative's autoscaler does: the level is
/// integrated over time into buckets, so an average weighs each value by how long it held. Panic starts when the
/// panic-window average reaches <see cref="SchedulingOptions.PanicThreshold"/> × capacity and lasts until a whole stable
/// window passes without that; while it lasts the estimate is the larger of the two averages. Not thread-safe.
/// </summary>
internal sealed class DampedLevel(SchedulingOptions options)
{
    private readonly BucketedWindow _window = new(options.StableWindow, options.Bucket);
    private double _level;
    private TimeSpan? _last;
    private TimeSpan? _lastPanic;

    /// <summary>The level from <paramref name="now"/> on.</summary>
    public void Set(TimeSpan now, double level)
    {
        Advance(now);
        _level = level;
    }

    public LoadEstimate Estimate(TimeSpan now, int capacity)
    {
        Advance(now);
        var stable = _window.Mean(now, options.StableWindow) ?? _level;
        var panic = _window.Mean(now, options.PanicWindow) ?? _level;
        if (panic >= options.PanicThreshold * capacity)
        {
            _lastPanic = now;
        }

        var panicking = _lastPanic is { } since && now - since < options.StableWindow;
        return new LoadEstimate(stable, panic, panicking);
    }

    /// <summary>Integrates the current level from the last change up to <paramref name="now"/>, bucket by bucket.</summary>
    private void Advance(TimeSpan now)
    {
        if (_last is not { } from || now <= from)
        {
            _last ??= now;
            return;
        }

        // Older than the window plus one bucket is never read again.
        var horizon = now - options.StableWindow - options.Bucket;
        if (from < horizon)
        {
            from = horizon;
        }

        while (from < now)
        {
            var end = TimeSpan.FromTicks(_window.BucketStart(_window.BucketOf(from) + 1));
            var to = end < now ? end : now;
            var seconds = (to - from).TotalSeconds;
            _window.Add(from, _level * seconds, seconds);
            from = to;
        }

        _last = now;
    }
}

/// <summary>A damped concurrency: its stable and panic averages and whether the site panics.</summary>
public readonly record struct LoadEstimate(double Stable, double Panic, bool Panicking)
{
    /// <summary>What others should plan with: the panic average while panicking (if larger), else the stable one.</summary>
    public double Effective => Panicking ? Math.Max(Stable, Panic) : Stable;
}
