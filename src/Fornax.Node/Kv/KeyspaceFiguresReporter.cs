using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Kv.Engine;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Kv;

/// <summary>
/// Once a second: samples this site's figures of each keyspace it knows (keys, bytes, replication backlog) into the
/// <see cref="KvFiguresTable"/>, which the uplink sends up when they changed, and writes the status of the site's
/// <c>Keyspace</c> objects from the table (this site and its subtree) when it differs from what they show.
/// </summary>
internal sealed partial class KeyspaceFiguresReporter(IObjectStore objects, SiteKvStore store, LocalSite site, KvFiguresTable table,
    KeyspaceDirectory directory, Locality.KeyspaceHoldings holdings, TimeProvider time, ILogger<KeyspaceFiguresReporter> log) : BackgroundService
{
    /// <summary>Lag is reported in whole seconds: the sampling period, so a cut link changes the figures once a second, not on every write.</summary>
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private long _writtenVersion = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            do
            {
                try
                {
                    await SampleAsync(stoppingToken);
                }
                catch (Exception e) when (e is StoreException or KvException)
                {
                    LogSampleFailed(e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The site is stopping.
        }
    }

    private async Task SampleAsync(CancellationToken ct)
    {
        // The prefixes as KeyspaceController keeps them from its watch: reading and parsing every Keyspace object from the
        // store each second was 3.4–5% of an idle edge site's samples (perf). The objects are read only when a status may
        // have to change.
        var prefixes = directory.Prefixes();
        var own = new KvSiteFigures();
        // Shown with each keyspace, so `fornax get keyspaces -o wide` at any ancestor says the site is cut off by a refusal.
        var refused = store.UplinkRefusal is null ? "" : "; replication with the parent refused (GET /api/site: kv.uplinkRefusal)";
        // Sampling does not open the store: a closed one holds nothing here yet.
        foreach (var figures in store.OpenedOrNull is { } open ? KvKeyspaces.Figures(open, prefixes) : [])
        {
            if (figures.Carried || figures.Keys > 0 || figures.Pending > 0)
            {
                var held = holdings.Reason(figures.Prefix);
                own.Keyspaces.Add(new KvKeyspaceFigures
                {
                    Prefix = figures.Prefix,
                    Replica = held is not null,
                    Reason = (held ?? (figures.Carried ? "relay" : "local keys, not replicated")) + refused,
                    Keys = figures.Keys,
                    Bytes = figures.Bytes,
                    Pending = figures.Pending,
                    LagMs = (long)figures.Lag.TotalSeconds * 1000,
                });
            }
        }

        table.Set(site.Path, own);
        var version = table.Version;
        if (version != _writtenVersion)
        {
            var keyspaces = (await objects.ListAsync("Keyspace", null, ct)).Items
                .Select(i => (i.Key, i.Object, ObjectSerializer.FromJson<Keyspace>(i.Object).Spec.Prefix))
                .Where(k => !string.IsNullOrEmpty(k.Prefix));
            await WriteStatusesAsync(keyspaces.Select(k => (k.Key, k.Object, k.Prefix!)), ct);
            _writtenVersion = version; // only once written: a sample whose list or write failed is tried again next second
        }
    }

    private async Task WriteStatusesAsync(IEnumerable<(ObjectKey Key, JsonObject Object, string Prefix)> keyspaces, CancellationToken ct)
    {
        var sites = table.Snapshot();
        foreach (var (key, stored, prefix) in keyspaces)
        {
            var status = KeyspaceStatusOf(prefix, sites);
            var json = ObjectSerializer.ToJsonObject(new Keyspace { Status = status })["status"]!.DeepClone();
            if (JsonNode.DeepEquals(stored["status"], json))
            {
                continue;
            }

            try
            {
                // Relaxed: the figures are sampled again within a second after a restart.
                await objects.UpdateStatusAsync(key, json, null, WriteDurability.Relaxed, ct);
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
            {
                // Deleted meanwhile.
            }
        }
    }

    internal static KeyspaceStatus KeyspaceStatusOf(string prefix, IEnumerable<(string Path, KvSiteFigures Figures)> sites)
    {
        var rows = new Dictionary<string, KeyspaceSiteStatus>(StringComparer.Ordinal);
        foreach (var (path, figures) in sites)
        {
            if (figures.Keyspaces.FirstOrDefault(k => k.Prefix == prefix) is { } k)
            {
                rows[path] = new KeyspaceSiteStatus { Replica = k.Replica, Reason = k.Reason.Length == 0 ? null : k.Reason, Keys = k.Keys, Bytes = k.Bytes, Pending = k.Pending, LagSeconds = k.LagMs / 1000.0 };
            }
        }

        return new KeyspaceStatus
        {
            Keys = rows.Count == 0 ? 0 : rows.Values.Max(r => r.Keys),
            Bytes = rows.Count == 0 ? 0 : rows.Values.Max(r => r.Bytes),
            Sites = rows,
        };
    }

    [LoggerMessage(EventId = 910, Level = LogLevel.Warning, Message = "Could not sample the KV figures: {Reason}")]
    private partial void LogSampleFailed(string reason);
}
