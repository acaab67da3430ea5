using Fornax.Hierarchy.Links;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>How long a cut-off child waits between dials of its parent: what decides how soon a healed link is back.</summary>
public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Delays_DoubleFrom100ms_WithEqualJitter_AndStayUnderTheCap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(7));
        var delays = Enumerable.Range(0, 40).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        double[] ceilings = [100, 200, 400, 800, .. Enumerable.Repeat(1000.0, 36)];
        Assert.All(delays.Zip(ceilings), d => Assert.InRange(d.First, d.Second / 2, d.Second));
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void TheCap_IsOneSecond_OrOneHeartbeatWhenThatIsShorter_UnlessSet()
    {
        // The default heartbeat (5 s) would let a child cut off for long wait up to 5 s after the heal.
        Assert.Equal(TimeSpan.FromSeconds(1), new LinkOptions().EffectiveMaxBackoff);
        Assert.Equal(TimeSpan.FromMilliseconds(300), new LinkOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(300) }.EffectiveMaxBackoff);
        Assert.Equal(TimeSpan.FromSeconds(10), new LinkOptions { MaxBackoff = TimeSpan.FromSeconds(10) }.EffectiveMaxBackoff);
    }
}
