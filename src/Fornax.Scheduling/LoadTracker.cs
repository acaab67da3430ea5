namespace Fornax.Scheduling;

/// <inheritdoc cref="ILoadTracker"/>
internal sealed class LoadTracker : ILoadTracker
{
    private readonly SchedulingOptions _options;
    private readonly Lock _gate = new();
    private readonly DampedLevel _concurrency;
    private readonly Dictionary<string, FunctionFigures> _functions = new(StringComparer.Ordinal);
    private int _inFlight;

    public LoadTracker(SchedulingOptions options)
    {
        options.Validate();
        _options = options;
        _concurrency = new DampedLevel(options);
    }

    public int Capacity => _options.Capacity;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Started(string function)
    {
        var now = Now;
        lock (_gate)
        {
            Figures(function).InFlight++;
            _concurrency.Set(now, ++_inFlight);
        }
    }

    public void Finished(string function, TimeSpan? serviceTime)
    {
        var now = Now;
        lock (_gate)
        {
            var figures = Figures(function);
            figures.InFlight--;
            if (serviceTime is { } took)
            {
                figures.ServiceTimes.Add(now, took.TotalSeconds, 1);
            }

            _concurrency.Set(now, --_inFlight);
        }
    }

    public TimeSpan? ServiceTime(string function)
    {
        var now = Now;
        lock (_gate)
        {
            return _functions.TryGetValue(function, out var figures) ? Mean(figures, now) : null;
        }
    }

    public SiteLoad Snapshot()
    {
        var now = Now;
        lock (_gate)
        {
            var estimate = _concurrency.Estimate(now, _options.Capacity);
            var functions = new Dictionary<string, FunctionLoad>(_functions.Count, StringComparer.Ordinal);
            foreach (var (name, figures) in _functions)
            {
                var mean = Mean(figures, now);
                if (figures.InFlight > 0 || mean is not null)
                {
                    functions[name] = new FunctionLoad(figures.InFlight, mean);
                }
            }

            return new SiteLoad(_options.Capacity, _inFlight, Math.Max(0, _inFlight - _options.Capacity),
                estimate.Stable, estimate.Panic, estimate.Panicking, functions);
        }
    }

    private TimeSpan Now => _options.TimeProvider.GetElapsedTime(0);

    private TimeSpan? Mean(FunctionFigures figures, TimeSpan now) =>
        figures.ServiceTimes.Mean(now, _options.StableWindow) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private FunctionFigures Figures(string function)
    {
        if (!_functions.TryGetValue(function, out var figures))
        {
            figures = new FunctionFigures(new BucketedWindow(_options.StableWindow, _options.Bucket));
            _functions[function] = figures;
        }

        return figures;
    }

    private sealed class FunctionFigures(BucketedWindow serviceTimes)
    {
        public BucketedWindow ServiceTimes { get; } = serviceTimes;

        public int InFlight { get; set; }
    }
}
