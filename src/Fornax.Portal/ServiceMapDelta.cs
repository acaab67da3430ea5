namespace Fornax.Portal;

/// <summary>
/// The changes of a service map after <see cref="FromVersion"/> up to <see cref="ToVersion"/>: what a parent passes to a
/// child that already holds the map at <see cref="FromVersion"/>, instead of the whole map.
/// </summary>
/// <param name="FromVersion">The version the receiver already holds.</param>
/// <param name="ToVersion">The version the receiver holds once it applied this.</param>
/// <param name="Announced">Sites whose announcement changed (the newest of each).</param>
/// <param name="HealthChanged">Sites whose health changed, with the new health.</param>
/// <param name="Removed">Sites that left the tree (forgotten or moved away).</param>
public sealed record ServiceMapDelta(
    long FromVersion,
    long ToVersion,
    IReadOnlyList<SiteAnnouncement> Announced,
    IReadOnlyDictionary<string, bool> HealthChanged,
    IReadOnlyList<string> Removed)
{
    public bool IsEmpty => Announced.Count == 0 && HealthChanged.Count == 0 && Removed.Count == 0;
}
