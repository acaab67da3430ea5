using Fornax.Kv.Engine;

namespace Fornax.Kv.Replication;

/// <summary>
/// Replication of a site's store with its neighbours on the tree. Each link carries, both ways, the changes of the
/// keys whose prefixes the other side needs (its own keyspaces and those of the sites beyond it), as batches of
/// whole key states, acknowledged, resumed after a cut from the last acknowledged change, and forwarded once per hop.
/// </summary>
public interface IKvReplication
{
    /// <summary>The prefixes this site holds a replica of (from the Keyspace objects placed here). Keys under a prefix
    /// no longer held, nor relayed for a neighbour, are dropped from this site (not deleted elsewhere).</summary>
    void SetKeyspaces(IEnumerable<string> prefixes);

    /// <summary>
    /// Runs one session with a neighbour over <paramref name="transport"/> until the stream ends or
    /// <paramref name="ct"/> fires. Garbage on the stream throws <see cref="ReplicationProtocolException"/> (the caller
    /// drops the link); nothing of a refused frame is applied.
    /// </summary>
    Task RunPeerAsync(IReplicationTransport transport, CancellationToken ct);
}

public static class KvReplication
{
    /// <summary>The replication of a store opened with <see cref="KvStore.Open"/>.</summary>
    public static IKvReplication For(IKvStore store) =>
        (store as KvEngine ?? throw new ArgumentException("not a store opened by KvStore.Open", nameof(store))).Replication;
}
