using Fornax.Hierarchy.Links.Protocol;

namespace Fornax.Hierarchy.Links;

/// <summary>
/// What the link carries up for the KV store: the figures (keys, bytes, replication backlog per keyspace) of each site of
/// the child's subtree. Change-based like the portal map: each stream starts from version 0 (every site once), then
/// sends the sites whose figures changed. The link knows only the messages; the node knows the figures.
/// </summary>
public interface IKvFiguresExchange
{
    /// <summary>Completes once the figures changed after <paramref name="version"/>.</summary>
    Task WaitForChangeAsync(long version, CancellationToken ct);

    /// <summary>
    /// For the parent: the sites at or under this site whose figures changed after <paramref name="since"/>, and those
    /// that left the tree since then; null when none.
    /// </summary>
    KvFigures? ForParent(long since, out long upTo);

    /// <summary>From a child: what it says about the sites of its own subtree, present or removed (anything else is ignored).</summary>
    void FromChild(string childPath, KvFigures figures);
}
