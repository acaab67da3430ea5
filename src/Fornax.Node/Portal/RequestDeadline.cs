using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Fornax.Node.Portal;

/// <summary>
/// When a request through the portals must be answered: the first portal's timeout, passed to every further hop as what
/// is left of it (<see cref="Header"/>, milliseconds, relative so the sites' clocks need not agree, as gRPC's
/// <c>grpc-timeout</c>). A hop waits no longer than that even when the asking portal's cancel cannot reach it.
/// </summary>
internal readonly record struct RequestDeadline(TimeProvider Time, long Started, TimeSpan Budget)
{
    /// <summary>On a request between portals: the milliseconds left of the first portal's deadline.</summary>
    public const string Header = "Fornax-Deadline";

    /// <summary>
    /// On a portal's 504: the deadline the request came with is spent, so the asking portal answers 504 itself instead
    /// of trying another site (set by portals only: a backend's copy is dropped as a hop-by-hop header).
    /// </summary>
    public const string SpentHeader = "Fornax-Deadline-Spent";

    /// <summary>A deadline starting now: <paramref name="own"/>, or less when the asking portal sent less in <see cref="Header"/>.</summary>
    public static RequestDeadline Start(HttpRequest incoming, TimeSpan own, TimeProvider time)
    {
        var budget = own;
        if (incoming.Headers[Header].ToString() is { Length: > 0 and <= 10 } sent
            && long.TryParse(sent, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && TimeSpan.FromMilliseconds(ms) < own)
        {
            budget = TimeSpan.FromMilliseconds(ms);
        }

        return new RequestDeadline(time, time.GetTimestamp(), budget);
    }

    public TimeSpan Remaining => Budget - Time.GetElapsedTime(Started) is { Ticks: > 0 } left ? left : TimeSpan.Zero;

    /// <summary>Puts what is left (rounded up to the millisecond, at least one) on a request to the next portal.</summary>
    public void Stamp(HttpRequestMessage message) =>
        message.Headers.TryAddWithoutValidation(Header, Math.Max(1, (long)Math.Ceiling(Remaining.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture));
}
