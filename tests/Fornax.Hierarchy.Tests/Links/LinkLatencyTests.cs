using Fornax.Hierarchy.Links;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Hierarchy.Tests.Links;

public sealed class LinkLatencyTests
{
    [Fact]
    public void Acknowledged_FirstSampleIsTaken_LaterOnesDamped_StaleAnswersIgnored()
    {
        var clock = new FakeTimeProvider();
        var latency = new LinkLatency(clock);
        Assert.Null(latency.Current);

        latency.Sent(1);
        clock.Advance(TimeSpan.FromMilliseconds(40));
        latency.Acknowledged(1);
        Assert.Equal(TimeSpan.FromMilliseconds(40), latency.Current);

        latency.Sent(2);
        clock.Advance(TimeSpan.FromMilliseconds(80));
        latency.Acknowledged(2);
        Assert.Equal(TimeSpan.FromMilliseconds(50), latency.Current); // 40 + (80 - 40) / 4

        latency.Sent(3);
        clock.Advance(TimeSpan.FromMilliseconds(1000));
        latency.Acknowledged(2); // an answer to an older heartbeat: not a sample of this one
        latency.Acknowledged(3);
        latency.Acknowledged(3); // answered twice: counted once
        Assert.Equal(TimeSpan.FromMilliseconds(50 + ((1000 - 50) / 4.0)), latency.Current);
    }
}
