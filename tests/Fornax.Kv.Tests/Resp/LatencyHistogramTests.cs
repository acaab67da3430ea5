using Fornax.Kv.Resp;

namespace Fornax.Kv.Tests.Resp;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_AreTheUpperEndOfTheBucketTheyFallIn()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 19; i++)
        {
            histogram.Record(500);
        }

        histogram.Record(50_000);

        Assert.Equal(20, histogram.Count);
        Assert.Equal(511, histogram.ValueAtPercentile(50)); // 500 ns is in [496, 511]
        Assert.Equal(511, histogram.ValueAtPercentile(95)); // the 19th of 20
        Assert.Equal(51_199, histogram.ValueAtPercentile(99)); // 50,000 ns is in [49,152, 51,199]
        Assert.Equal(51_199, histogram.ValueAtPercentile(99.9));
    }

    [Fact]
    public void Cumulative_CountsByPowerOfTwo_LabelledAsRedisLabelsThem()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 19; i++)
        {
            histogram.Record(500);
        }

        histogram.Record(50_000);
        histogram.Record(1024); // the first bucket is below 1,024 ns: this is in the second

        // Redis' labels: HdrHistogram's highest value equivalent to each bound, in µs (1,024 ns → 1; 65,536 ns → 66).
        Assert.Equal([(1L, 19L), (2L, 20L), (66L, 21L)], histogram.Cumulative());
    }

    [Fact]
    public void TinyZeroAndHugeDurations_AllCount()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(0);
        histogram.Record(-5); // a clock that stepped back counts as zero
        histogram.Record(long.MaxValue);

        Assert.Equal(3, histogram.Count);
        Assert.Equal(0, histogram.ValueAtPercentile(50));
        Assert.Equal((1L << 45) - 1, histogram.ValueAtPercentile(100));
        Assert.Equal(3, histogram.Cumulative()[^1].Calls);
    }
}
