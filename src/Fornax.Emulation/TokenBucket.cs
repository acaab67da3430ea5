namespace Fornax.Emulation;

/// <summary>
/// A token bucket in bytes, shared by every connection of one link direction. A taker pays for its chunk up front,
/// going into debt if need be, then waits until the debt is repaid: takers are served at the link rate in the
/// order they asked, and oversleeping a timer is credited back at the next refill.
/// </summary>
internal sealed class TokenBucket(TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = double.NaN; // NaN until first use: the bucket starts full at the rate then in force
    private long _refilledAt;

    public async ValueTask TakeAsync(int bytes, long bitsPerSecond, CancellationToken cancellationToken)
    {
        if (bitsPerSecond <= 0)
        {
            return;
        }

        var bytesPerSecond = bitsPerSecond / 8.0;
        // Burst: 10 ms of traffic, at least one segment; small enough that a measured rate is the configured one.
        var capacity = Math.Max(LinkProfileOptions.SegmentBytes, bytesPerSecond / 100);
        double debt;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = double.IsNaN(_tokens)
                ? capacity
                : Math.Min(capacity, _tokens + (time.GetElapsedTime(_refilledAt, now).TotalSeconds * bytesPerSecond));
            _refilledAt = now;
            _tokens -= bytes;
            debt = -_tokens;
        }

        if (debt > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(debt / bytesPerSecond), time, cancellationToken);
        }
    }
}
