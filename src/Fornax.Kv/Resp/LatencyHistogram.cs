using System.Numerics;

namespace Fornax.Kv.Resp;

/// <summary>
/// The durations of one command's calls, in nanoseconds, for INFO latencystats (percentiles) and LATENCY HISTOGRAM
/// (power-of-two buckets): log-linear buckets, 16 per power of two (each about 6% wide), as HdrHistogram keeps them but
/// coarser than Redis' two significant digits, so one command costs 5 KB (made at its first call), not 60.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;

    /// <summary>Up to 2^44 ns (about 4.9 hours); anything longer counts in the last bucket.</summary>
    private const int MaxMagnitude = 44;

    private const int Buckets = SubBuckets + ((MaxMagnitude - SubBucketBits + 1) * SubBuckets);

    /// <summary>LATENCY HISTOGRAM's first bucket is 1,024 ns, each next one twice as wide, as in Redis.</summary>
    private const int FirstReportedMagnitude = 10;

    private readonly long[] _counts = new long[Buckets];
    private long _total;

    public long Count => Interlocked.Read(ref _total);

    public void Record(long nanoseconds)
    {
        Interlocked.Increment(ref _counts[IndexOf(Math.Max(0, nanoseconds))]);
        Interlocked.Increment(ref _total);
    }

    /// <summary>The duration (ns) that <paramref name="percentile"/> percent of the calls took at most: its bucket's upper end.</summary>
    public long ValueAtPercentile(double percentile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * total));
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return HighestOf(i);
            }
        }

        return HighestOf(Buckets - 1);
    }

    /// <summary>
    /// LATENCY HISTOGRAM's cumulative counts: for each power-of-two bucket from 1,024 ns in which some call ended, the
    /// bucket's label (µs, as Redis labels it: 1, 2, 4, 8, 16, 33, 66, 132…) and how many calls took at most that long.
    /// </summary>
    public List<(long Microseconds, long Calls)> Cumulative()
    {
        var result = new List<(long, long)>();
        long seen = 0, reported = 0;
        var next = 0;
        for (var magnitude = FirstReportedMagnitude; magnitude <= MaxMagnitude + 1 && next < Buckets; magnitude++)
        {
            // The calls shorter than this are in this bucket or an earlier one (the last bound, 2^45 ns, takes every bucket).
            var bound = 1L << magnitude;
            for (; next < Buckets && HighestOf(next) < bound; next++)
            {
                seen += Interlocked.Read(ref _counts[next]);
            }

            if (seen > reported)
            {
                // Redis prints HdrHistogram's highest value equivalent to the bound (two significant digits) in µs.
                result.Add(((bound + (bound >> 7) - 1) / 1000, seen));
                reported = seen;
            }
        }

        return result;
    }

    private static int IndexOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var magnitude = Math.Min(63 - BitOperations.LeadingZeroCount((ulong)value), MaxMagnitude);
        if (magnitude == MaxMagnitude && value >= 1L << (MaxMagnitude + 1))
        {
            return Buckets - 1;
        }

        var sub = (int)(value >> (magnitude - SubBucketBits)) - SubBuckets;
        return SubBuckets + ((magnitude - SubBucketBits) * SubBuckets) + sub;
    }

    /// <summary>The largest value bucket <paramref name="index"/> holds.</summary>
    private static long HighestOf(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var magnitude = ((index - SubBuckets) / SubBuckets) + SubBucketBits;
        var sub = (index - SubBuckets) % SubBuckets;
        var width = 1L << (magnitude - SubBucketBits);
        return ((SubBuckets + sub) * width) + width - 1;
    }
}
