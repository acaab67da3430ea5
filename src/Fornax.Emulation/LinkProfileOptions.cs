using Fornax.Core.Objects;
using Fornax.Core.Validation;

namespace Fornax.Emulation;

/// <summary>
/// How an emulated link behaves, the same in each direction: one-way latency, bandwidth and loss.
/// </summary>
/// <remarks>
/// TCP cannot lose bytes, so <see cref="Loss"/> is modelled as what an application over TCP sees when segments
/// are lost: each 1460-byte segment (the MSS of a 1500-byte MTU) is lost with probability <see cref="Loss"/>,
/// and a chunk with a lost segment arrives <see cref="RetransmitPenalty"/> late, holding up everything behind it
/// (TCP delivers in order). Dropping connections at random would instead test reconnection, which
/// <see cref="LinkEmulator.Cut"/> does deterministically.
/// </remarks>
public sealed record LinkProfileOptions
{
    /// <summary>Segment size used by the loss model: a 1500-byte MTU minus 40 bytes of IP and TCP headers.</summary>
    public const int SegmentBytes = 1460;

    /// <summary>No latency, no bandwidth limit, no loss: a transparent proxy.</summary>
    public static LinkProfileOptions Unlimited { get; } = new();

    /// <summary>One-way delay added to every chunk in each direction; a round trip costs twice this.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Bits per second in each direction, shared by all connections of the link; 0 is unlimited.</summary>
    public long BandwidthBitsPerSecond { get; init; }

    /// <summary>Probability in [0, 1) that one segment is lost (and retransmitted late).</summary>
    public double Loss { get; init; }

    /// <summary>
    /// Extra delay of a chunk with a lost segment. Null: TCP's retransmission timeout, max(200 ms, 2 × latency)
    /// (Linux's minimum RTO is 200 ms, and the RTO is never below one round trip).
    /// </summary>
    public TimeSpan? RetransmitPenalty { get; init; }

    /// <summary>Seed for the loss draws; null draws a random seed. Each connection direction gets its own sequence.</summary>
    public int? Seed { get; init; }

    public TimeSpan EffectiveRetransmitPenalty =>
        RetransmitPenalty ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(200).Ticks, 2 * Latency.Ticks));

    /// <summary>The emulator form of a topology's <c>link:</c> entry (<c>latency: 40ms</c>, <c>bandwidth: 10Mbit</c>, <c>loss: 0.01</c>).</summary>
    /// <exception cref="FormatException">A field does not parse; the message names it.</exception>
    public static LinkProfileOptions From(LinkProfile? profile)
    {
        if (profile is null)
        {
            return Unlimited;
        }

        var latency = TimeSpan.Zero;
        if (profile.Latency is { } latencyText && !Durations.TryParse(latencyText, out latency))
        {
            throw new FormatException($"link.latency: \"{latencyText}\" is not a duration like 40ms");
        }

        long bandwidth = 0;
        if (profile.Bandwidth is { } bandwidthText && !Bandwidths.TryParse(bandwidthText, out bandwidth))
        {
            throw new FormatException($"link.bandwidth: \"{bandwidthText}\" is not a bandwidth like 10Mbit or 512kbit");
        }

        var options = new LinkProfileOptions { Latency = latency, BandwidthBitsPerSecond = bandwidth, Loss = profile.Loss ?? 0 };
        options.Validate();
        return options;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the field and the value when one is out of range.</summary>
    public void Validate()
    {
        if (Latency < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(Latency)}: {Latency} must not be negative", nameof(Latency));
        }

        if (BandwidthBitsPerSecond < 0)
        {
            throw new ArgumentException($"{nameof(BandwidthBitsPerSecond)}: {BandwidthBitsPerSecond} must not be negative (0 is unlimited)", nameof(BandwidthBitsPerSecond));
        }

        if (Loss is < 0 or >= 1 || double.IsNaN(Loss))
        {
            throw new ArgumentException($"{nameof(Loss)}: {Loss} is not between 0 and 1", nameof(Loss));
        }

        if (RetransmitPenalty < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(RetransmitPenalty)}: {RetransmitPenalty} must not be negative", nameof(RetransmitPenalty));
        }
    }

    /// <summary>
    /// How much to read at once: at most 16 KiB, and with a bandwidth limit at most ~10 ms of transmission (at least
    /// one segment), so a slow link delivers a trickle of small chunks rather than rare large bursts.
    /// </summary>
    internal int ChunkBytes => BandwidthBitsPerSecond == 0
        ? 16 * 1024
        : (int)Math.Clamp(BandwidthBitsPerSecond / 8 / 100, SegmentBytes, 16 * 1024);

    /// <summary>The delay a chunk of <paramref name="bytes"/> suffers from loss: zero, or the retransmit penalty.</summary>
    internal TimeSpan LossDelay(int bytes, Random random)
    {
        if (Loss <= 0)
        {
            return TimeSpan.Zero;
        }

        var segments = (bytes + SegmentBytes - 1) / SegmentBytes;
        var anyLost = 1 - Math.Pow(1 - Loss, segments);
        return random.NextDouble() < anyLost ? EffectiveRetransmitPenalty : TimeSpan.Zero;
    }
}
