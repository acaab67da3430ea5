namespace Fornax.Scheduling;

/// <summary>
/// A sliding window of fixed-width time buckets, each holding a sum and a weight, read back as sum / weight over the
/// newest buckets. Two uses: a time-weighted average of a level (concurrency: the sum is level × time, the weight is
/// time) and a mean of samples (service times: the sum is the samples, the weight their count). Not thread-safe.
/// </summary>
internal sealed class BucketedWindow
{
    private readonly long _bucketTicks;
    private readonly double[] _sums;
    private readonly double[] _weights;
    private readonly long[] _index;

    /// <param name="span">The longest window read back; a whole multiple of <paramref name="bucket"/>.</param>
    /// <param name="bucket">The width of one bucket.</param>
    public BucketedWindow(TimeSpan span, TimeSpan bucket)
    {
        _bucketTicks = bucket.Ticks;
        var count = (int)(span.Ticks / bucket.Ticks) + 1;
        _sums = new double[count];
        _weights = new double[count];
        _index = new long[count];
        Array.Fill(_index, -1);
    }

    public long BucketOf(TimeSpan at) => at.Ticks / _bucketTicks;

    public long BucketStart(long bucket) => bucket * _bucketTicks;

    /// <summary>Adds to the bucket of <paramref name="at"/> (a bucket reused for a newer time starts empty).</summary>
    public void Add(TimeSpan at, double sum, double weight)
    {
        var bucket = BucketOf(at);
        var slot = (int)(bucket % _sums.Length);
        if (_index[slot] != bucket)
        {
            _index[slot] = bucket;
            _sums[slot] = 0;
            _weights[slot] = 0;
        }

        _sums[slot] += sum;
        _weights[slot] += weight;
    }

    /// <summary>Sum / weight over the <paramref name="window"/> ending in the bucket of <paramref name="now"/> (that bucket and the whole ones before it); null when the weight is 0.</summary>
    public double? Mean(TimeSpan now, TimeSpan window)
    {
        var newest = BucketOf(now);
        var oldest = newest - (window.Ticks / _bucketTicks) + 1;
        double sum = 0, weight = 0;
        for (var slot = 0; slot < _sums.Length; slot++)
        {
            if (_index[slot] >= oldest && _index[slot] <= newest)
            {
                sum += _sums[slot];
                weight += _weights[slot];
            }
        }

        return weight > 0 ? sum / weight : null;
    }
}
