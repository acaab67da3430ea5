namespace Fornax.Hierarchy.Links;

/// <summary>
/// The round trip of a link, measured by its heartbeats (sent, then answered by the parent) and damped as TCP damps its
/// smoothed RTT (RFC 6298), with a larger gain so a lasting change shows within a few heartbeats. Thread-safe.
/// </summary>
public sealed class LinkLatency(TimeProvider timeProvider)
{
    private const double Gain = 0.25;
    private readonly Lock _lock = new();
    private long _sentSequence = -1;
    private long _sentAt;
    private double? _smoothedTicks;

    public TimeSpan? Current
    {
        get
        {
            lock (_lock)
            {
                return _smoothedTicks is { } ticks ? TimeSpan.FromTicks((long)ticks) : null;
            }
        }
    }

    /// <summary>A heartbeat goes out; only the latest is timed (an answer to an older one is ignored).</summary>
    public void Sent(long sequence)
    {
        lock (_lock)
        {
            _sentSequence = sequence;
            _sentAt = timeProvider.GetTimestamp();
        }
    }

    public void Acknowledged(long sequence)
    {
        lock (_lock)
        {
            if (sequence != _sentSequence)
            {
                return;
            }

            var sample = timeProvider.GetElapsedTime(_sentAt).Ticks;
            _smoothedTicks = _smoothedTicks is { } smoothed ? smoothed + (Gain * (sample - smoothed)) : sample;
            _sentSequence = -1;
        }
    }
}
