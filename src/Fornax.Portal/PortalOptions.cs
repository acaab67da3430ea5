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
}
