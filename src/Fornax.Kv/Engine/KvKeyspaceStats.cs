using Fornax.Kv.Replication;

namespace Fornax.Kv.Engine;

/// <summary>
/// One keyspace at this site: whether the site carries it (its own replica, or a relay between neighbours that need
/// it), the live keys under its prefix and their approximate bytes, and what the neighbours have not acknowledged
/// (<see cref="Pending"/> changed keys summed over neighbours, <see cref="Lag"/> the age of the oldest of them).
/// </summary>
public sealed record KvKeyspaceStats(string Prefix, bool Carried, long Keys, long Bytes, long Pending, TimeSpan Lag);

public static class KvKeyspaces
{
    /// <summary>The figures of each of <paramref name="prefixes"/> at the store (one pass over its keys and change log).</summary>
    public static IReadOnlyList<KvKeyspaceStats> Figures(IKvStore store, IReadOnlyList<string> prefixes) =>
        (store as KvEngine ?? throw new ArgumentException("not a store opened by KvStore.Open", nameof(store))).KeyspaceFigures(prefixes);
}
