using System.Diagnostics.Metrics;
using Fornax.Kv.Engine;

namespace Fornax.Node.Kv;

/// <summary>
/// The store's figures on <c>/metrics</c> (meter <c>Fornax.Kv</c>, made through the site's factory so a process of many
/// sites shows each its own): keys, bytes, tombstones, and per neighbouring site the replication backlog (keys not yet
/// acknowledged and how old the oldest is) and the bytes sent and received.
/// </summary>
internal sealed class KvMetrics : IDisposable
{
    private readonly Meter _meter;

    public KvMetrics(IMeterFactory factory, IKvStore store)
    {
        _meter = factory.Create("Fornax.Kv");
        _meter.CreateObservableGauge("fornax.kv.keys", () => store.Count, description: "Keys holding a value");
        _meter.CreateObservableGauge("fornax.kv.bytes", () => store.Stats.Bytes, unit: "By", description: "Keys, values and CRDT metadata in memory");
        _meter.CreateObservableGauge("fornax.kv.tombstones", () => store.Stats.Tombstones, description: "Deletes kept until every peer has seen them");
        _meter.CreateObservableGauge("fornax.kv.replication.pending", () => Peers(store, p => p.PendingKeys), description: "Changed keys a peer has not acknowledged");
        _meter.CreateObservableGauge("fornax.kv.replication.lag", () => Peers(store, p => p.Lag.TotalSeconds), unit: "s", description: "Age of the oldest change a peer has not acknowledged");
        _meter.CreateObservableCounter("fornax.kv.replication.sent", () => Peers(store, p => p.BytesSent), unit: "By");
        _meter.CreateObservableCounter("fornax.kv.replication.received", () => Peers(store, p => p.BytesReceived), unit: "By");
    }

    private static IEnumerable<Measurement<T>> Peers<T>(IKvStore store, Func<KvPeerStats, T> value)
        where T : struct =>
        store.Stats.Peers.Select(p => new Measurement<T>(value(p), new KeyValuePair<string, object?>("peer", p.Site))).ToList();

    public void Dispose() => _meter.Dispose();
}
