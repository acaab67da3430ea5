namespace Fornax.Portal;

/// <summary>The settings of one site's portal.</summary>
/// <param name="SitePath">This site's path in the tree (<c>cloud/east/shop-12</c>): "local" means this site.</param>
public sealed record PortalOptions(string SitePath)
{
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The cost of one tree hop to a site whose link latency nobody has measured yet: a loopback link measures well
    /// under a millisecond, a WAN link tens, so an unmeasured hop ranks after measured near ones.
    /// </summary>
    public TimeSpan UnmeasuredHopCost { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a portal waits to open a connection to a peer portal or a backend before it tries the next backend.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a request may wait for a backend's response headers, all hops included (then 504).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a service was last served a request for it waits for the map when no site serves it right now (its
    /// backend moving from one site to another), instead of failing; bounded by <see cref="RequestTimeout"/> too.
    /// </summary>
    public TimeSpan RouteSettleTime { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Opens the connection to a peer portal (the site path it belongs to, its advertised address); null dials the
    /// address. The network between sites decides what is reachable: a test harness refuses paths here as a firewall would.
    /// </summary>
    public Func<string, System.Net.DnsEndPoint, CancellationToken, ValueTask<Stream>>? ConnectToPeer { get; init; }

    /// <summary>A TCP tunnel with no byte in either direction for this long is closed at the serving site.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromMinutes(15);
}
