using Fornax.Kv.Engine;

namespace Fornax.Kv.Replication;

/// <summary>
/// Replication of a site's store with its neighbours on the tree. Each link carries, both ways, the changes of the
/// keys whose prefixes the other side needs (its own keyspaces and those of the sites beyond it), as batches of
/// whole key states, acknowledged, resumed after a cut from the last acknowledged change, and forwarded once per hop.
/// </summary>
public interface IKvReplication
{
    /// <summary>The name the store goes by on the tree (its site's): its hello says it to each neighbour.</summary>
    string Site { get; }

    /// <summary>The store's data epoch, drawn when its folder was created. A site whose parent refuses this store's data
    /// keeps it among its forgotten epochs (<see cref="Engine.KvStoreOptions.ForgottenEpochs"/>).</summary>
    long Epoch { get; }

    /// <summary>The prefixes this site holds a replica of (from the Keyspace objects placed here). Keys under a prefix
    /// no longer held, nor relayed for a neighbour, are dropped from this site (not deleted elsewhere).</summary>
    void SetKeyspaces(IEnumerable<string> prefixes);

    /// <summary>
    /// Runs one session with the neighbour <paramref name="peerSite"/> (the site name the link authenticated) over
    /// <paramref name="transport"/> until the stream ends or <paramref name="ct"/> fires. Garbage on the stream, or a
    /// hello naming another site, throws <see cref="ReplicationProtocolException"/> (the caller drops the link); nothing
    /// of a refused frame is applied.
    /// </summary>
    Task RunPeerAsync(IReplicationTransport transport, string peerSite, CancellationToken ct);

    /// <summary>
    /// Forgets a neighbour that left the tree for good: its position, and what this site kept until it acknowledged it
    /// (change-log entries, tombstones). What it last said its side needs still counts (a keyspace relayed for it stays
    /// carried). A session with it ends. A site of that name that links again later is a new neighbour: each side
    /// catches the other up by digests.
    /// </summary>
    void Forget(string peerSite);
}

public static class KvReplication
{
    /// <summary>The replication of a store opened with <see cref="KvStore.Open"/>.</summary>
    public static IKvReplication For(IKvStore store) =>
        (store as KvEngine ?? throw new ArgumentException("not a store opened by KvStore.Open", nameof(store))).Replication;
}
