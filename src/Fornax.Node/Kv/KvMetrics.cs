using System.Diagnostics.Metrics;
using Fornax.Kv.Engine;
using Fornax.Kv.Resp;
using Fornax.Node.Sites;

namespace Fornax.Node.Kv;

/// <summary>
/// The store's figures on <c>/metrics</c> (meter <c>Fornax.Kv</c>, made through the site's factory so a process of many
/// sites shows each its own): keys, bytes, tombstones, and per neighbouring site the replication backlog (keys not yet
/// acknowledged and how old the oldest is) and the bytes sent and received; and the RESP port's clients and commands
/// (RESP connections are the site's own sockets, not Kestrel's, so Kestrel's connection metrics do not count them).
/// </summary>
/// <remarks>
/// The instruments are made when the store first opens, not with the site: until then every one of them observes nothing
/// (a closed store has no keys, no peers and no keyspace held here), while each instrument a site publishes costs the
/// metrics exporter a fixed table of its cardinality limit (about 170 KB, allocated, cleared and kept) and its share of
/// the start (docs/benchmarks.md, "Native AOT release build").
/// </remarks>
internal sealed class KvMetrics : IDisposable
{
    private readonly Lock _gate = new();
    private Meter? _meter;
    private bool _disposed;

    // resp: the site's RESP server; null for a site wired without one (its figures are then left out).
    public KvMetrics(IMeterFactory factory, SiteKvStore store, KvFiguresTable figures, LocalSite site, IRespServer? resp = null) =>
        store.Opened.ContinueWith(_ => Create(factory, store, figures, site, resp), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void Create(IMeterFactory factory, SiteKvStore store, KvFiguresTable figures, LocalSite site, IRespServer? resp)
    {
        lock (_gate)
        {
            if (_disposed || _meter is not null)
            {
                return;
            }

            var meter = factory.Create("Fornax.Kv");
            // A scrape does not open the store: a closed store shows no figures (nothing needed it since the start).
            meter.CreateObservableGauge("fornax.kv.keys", () => Own(store, s => s.Count), description: "Keys holding a value");
            meter.CreateObservableGauge("fornax.kv.bytes", () => Own(store, s => s.Stats.Bytes), unit: "By", description: "Keys, values and CRDT metadata in memory");
            meter.CreateObservableGauge("fornax.kv.tombstones", () => Own(store, s => s.Stats.Tombstones), description: "Deletes kept until every peer has seen them");
            meter.CreateObservableGauge("fornax.kv.replication.pending", () => Peers(store, p => p.PendingKeys), description: "Changed keys a peer has not acknowledged");
            meter.CreateObservableGauge("fornax.kv.replication.lag", () => Peers(store, p => p.Lag.TotalSeconds), unit: "s", description: "Age of the oldest change a peer has not acknowledged");
            meter.CreateObservableCounter("fornax.kv.replication.sent", () => Peers(store, p => p.BytesSent), unit: "By");
            meter.CreateObservableCounter("fornax.kv.replication.received", () => Peers(store, p => p.BytesReceived), unit: "By");
            // Per keyspace held here, as last sampled for `fornax get keyspaces` (so both show the same figures).
            meter.CreateObservableGauge("fornax.kv.keyspace.keys", () => Keyspaces(figures, site, k => k.Keys), description: "Keys of the keyspace at this site");
            meter.CreateObservableGauge("fornax.kv.keyspace.bytes", () => Keyspaces(figures, site, k => k.Bytes), unit: "By", description: "Bytes of the keyspace at this site");
            meter.CreateObservableGauge("fornax.kv.keyspace.replication.pending", () => Keyspaces(figures, site, k => k.Pending), description: "Changed keys of the keyspace the neighbours have not acknowledged");
            meter.CreateObservableGauge("fornax.kv.keyspace.replication.lag", () => Keyspaces(figures, site, k => k.LagMs / 1000.0), unit: "s", description: "Age of the oldest of those changes");
            if (resp is not null)
            {
                // As INFO clients and stats show them. Made with the store's instruments: the first command a client
                // sends opens the store, so a connection that never sent one is counted from the first that does.
                meter.CreateObservableGauge("fornax.kv.clients", () => resp.ConnectedClients, description: "RESP connections open now");
                meter.CreateObservableCounter("fornax.kv.connections", () => resp.TotalConnections, description: "RESP connections accepted since the site started");
                meter.CreateObservableCounter("fornax.kv.commands", () => resp.TotalCommands, description: "Commands the RESP port ran since the site started");
                // INFO commandstats, per command (CONFIG RESETSTAT starts them again from zero, which Prometheus reads as a reset).
                meter.CreateObservableCounter("fornax.kv.command.calls", () => Commands(resp, c => c.Calls), description: "Calls of each RESP command (INFO commandstats)");
                meter.CreateObservableCounter("fornax.kv.command.duration", () => Commands(resp, c => c.Microseconds / 1e6), unit: "s", description: "Time each RESP command ran, summed over its calls");
            }

            Volatile.Write(ref _meter, meter);
        }
    }

    private static IEnumerable<Measurement<T>> Own<T>(SiteKvStore store, Func<IKvStore, T> value)
        where T : struct =>
        store.OpenedOrNull is { } open ? [new Measurement<T>(value(open))] : [];

    private static IEnumerable<Measurement<T>> Commands<T>(IRespServer resp, Func<CommandFigures, T> value)
        where T : struct =>
        resp.CommandFigures().Select(c => new Measurement<T>(value(c), new KeyValuePair<string, object?>("command", c.Command))).ToList();

    private static IEnumerable<Measurement<T>> Peers<T>(SiteKvStore store, Func<KvPeerStats, T> value)
        where T : struct =>
        (store.OpenedOrNull?.Stats.Peers ?? []).Select(p => new Measurement<T>(value(p), new KeyValuePair<string, object?>("peer", p.Site))).ToList();

    private static IEnumerable<Measurement<T>> Keyspaces<T>(KvFiguresTable figures, LocalSite site, Func<Fornax.Hierarchy.Links.Protocol.KvKeyspaceFigures, T> value)
        where T : struct =>
        (figures.Get(site.Path)?.Keyspaces ?? []).Select(k => new Measurement<T>(value(k), new KeyValuePair<string, object?>("prefix", k.Prefix))).ToList();

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _meter?.Dispose();
        }
    }
}
