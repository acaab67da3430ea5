namespace Fornax.Kv.Replication;

/// <summary>
/// What a site keeps on disk of one neighbour: the neighbour's data epoch and how far it acknowledged this site's
/// changes; when this site acknowledged changes of the neighbour's that it then did not keep, the stamp of the
/// catch-up it still asks the neighbour for (0: none; <see cref="PeerState.LostAt"/>); and the prefixes the neighbour
/// last said its side needs (<see cref="PeerState.Interest"/>); and whether a catch-up of the neighbour is owed (one
/// was running, or its last batch was not yet acknowledged: it starts again with the next session).
/// </summary>
internal readonly record struct PeerPosition(string Site, long Epoch, long Acked, long LostAt, bool CatchUpOwed, List<byte[]> Interest)
{
    /// <summary>The neighbour was forgotten (<see cref="Replicator.Forget"/>): the record keeps only what it needed.</summary>
    public bool Forgotten { get; init; }
}
