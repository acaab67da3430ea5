namespace Fornax.Cli.Commands.Bench;

/// <summary>One policy's run: the successful requests' latencies and where they ran, the failures, the time it took. Thread-safe while it fills.</summary>
internal sealed class PolicyResult
{
    private readonly Lock _gate = new();
    private readonly List<double> _latenciesMs = [];
    private readonly Dictionary<string, int> _ranAt = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<double>> _bySite = new(StringComparer.Ordinal);

    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    public int Failed { get; private set; }

    /// <summary>Failed requests by why: the status code, or the exception when no answer came.</summary>
    public IReadOnlyDictionary<string, int> Failures => _failures;

    /// <summary>From the first send to the last answer.</summary>
    public TimeSpan Elapsed { get; private set; }

    public int Succeeded => _latenciesMs.Count;

    /// <summary>Successful requests per second of the run.</summary>
    public double Throughput => Elapsed > TimeSpan.Zero ? Succeeded / Elapsed.TotalSeconds : 0;

    public double P50Ms => Percentile(_latenciesMs, 0.50);

    public double P99Ms => Percentile(_latenciesMs, 0.99);

    /// <summary>Successful requests by the site that ran them (its <c>Fornax-Site</c>).</summary>
    public IReadOnlyDictionary<string, int> RanAt => _ranAt;

    /// <summary>Records one answer.</summary>
    /// <param name="failure">Null for a success; else the status code or what went wrong.</param>
    /// <param name="site">Where it ran (its <c>Fornax-Site</c>).</param>
    /// <param name="latency">From when it was due to its answer.</param>
    public void Add(string? failure, string site, TimeSpan latency)
    {
        lock (_gate)
        {
            if (failure is not null)
            {
                Failed++;
                _failures[failure] = _failures.GetValueOrDefault(failure) + 1;
                return;
            }

            _latenciesMs.Add(latency.TotalMilliseconds);
            _ranAt[site] = _ranAt.GetValueOrDefault(site) + 1;
            (_bySite.TryGetValue(site, out var list) ? list : _bySite[site] = []).Add(latency.TotalMilliseconds);
        }
    }

    public void Finish(TimeSpan elapsed)
    {
        Elapsed = elapsed;
        _latenciesMs.Sort();
        foreach (var list in _bySite.Values)
        {
            list.Sort();
        }
    }

    /// <summary>The p99 of the requests that ran at <paramref name="site"/>.</summary>
    public double SiteP99Ms(string site) => Percentile(_bySite[site], 0.99);

    /// <summary>Nearest rank; 0 when nothing succeeded.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
