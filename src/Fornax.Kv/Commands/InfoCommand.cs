using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// INFO [section ...]: server, clients, memory, persistence, stats, replication, cpu, commandstats, errorstats,
/// latencystats, keyspace, as Redis 7 lays them out; commandstats and latencystats only when asked for by name or with
/// <c>all</c>/<c>everything</c>.
/// </summary>
internal static class InfoCommand
{
    private static readonly string[] AllSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "commandstats", "errorstats", "latencystats", "keyspace"];

    private static readonly string[] DefaultSections = [.. AllSections.Where(s => s is not ("commandstats" or "latencystats"))];

    public static ValueTask Run(RespConnection client, RespArgs args)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var name = args.String(i).ToLowerInvariant();
            if (name is "all" or "everything")
            {
                wanted.UnionWith(AllSections);
            }
            else if (name is "default")
            {
                wanted.UnionWith(DefaultSections);
            }
            else
            {
                wanted.Add(name);
            }
        }

        if (args.Count == 1)
        {
            wanted.UnionWith(DefaultSections);
        }

        Engine.KvStoreStats? stats = null;
        var text = new StringBuilder();
        foreach (var section in AllSections.Where(wanted.Contains))
        {
            if (text.Length > 0)
            {
                text.Append("\r\n");
            }

            text.Append("# ").Append(char.ToUpperInvariant(section[0])).Append(section[1..]).Append("\r\n");
            foreach (var (key, value) in Section(client, section, stats ??= client.Store.Stats))
            {
                text.Append(key).Append(':').Append(value).Append("\r\n");
            }
        }

        client.Reply.Verbatim(text.ToString());
        return ValueTask.CompletedTask;
    }

    /// <summary>The policy in the words of the site's <c>durability</c> option (Redis' <c>appendfsync</c> says "no" for "none").</summary>
    internal static string DurabilityName(Engine.KvDurability durability) => durability switch
    {
        Engine.KvDurability.Always => "always",
        Engine.KvDurability.None => "none",
        _ => "everysec",
    };

    private static string I(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Micros(long nanoseconds) => (nanoseconds / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <remarks><paramref name="stats"/> is read once per INFO: it corrects the store's byte count for every key changed since it was last read.</remarks>
    private static IEnumerable<(string, string)> Section(RespConnection client, string section, Engine.KvStoreStats stats)
    {
        var server = client.Server;
        var options = server.Options;
        var nowMs = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var uptime = (nowMs - server.StartedAtMs) / 1000;
        var port = (client.Local as System.Net.IPEndPoint)?.Port ?? 0;
        var durability = DurabilityName(stats.Durability);
        return section switch
        {
            "server" =>
            [
                ("redis_version", options.RedisVersion),
                ("redis_mode", "standalone"),
                ("fornax_version", options.FornaxVersion),
                ("fornax_site", options.SiteName),
                ("os", Environment.OSVersion.ToString()),
                ("arch_bits", (IntPtr.Size * 8).ToString(CultureInfo.InvariantCulture)),
                ("process_id", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)),
                ("tcp_port", port.ToString(CultureInfo.InvariantCulture)),
                ("uptime_in_seconds", uptime.ToString(CultureInfo.InvariantCulture)),
                ("uptime_in_days", (uptime / 86400).ToString(CultureInfo.InvariantCulture)),
            ],
            "clients" =>
            [
                ("connected_clients", server.ConnectedClients.ToString(CultureInfo.InvariantCulture)),
                ("blocked_clients", server.BlockedClients.ToString(CultureInfo.InvariantCulture)),
            ],
            "memory" =>
            [
                ("used_memory", GC.GetTotalMemory(false).ToString(CultureInfo.InvariantCulture)),
                ("used_memory_rss", Environment.WorkingSet.ToString(CultureInfo.InvariantCulture)),
                ("fornax_kv_bytes", I(stats.Bytes)),
                // The runtime's garbage collections since the site started, and how long they paused it: a latency
                // spike that matches a step in the pause total was a collection.
                ("fornax_gc_collections", $"gen0={GC.CollectionCount(0)},gen1={GC.CollectionCount(1)},gen2={GC.CollectionCount(2)}"),
                ("fornax_gc_pause_ms", I((long)GC.GetTotalPauseDuration().TotalMilliseconds)),
                ("maxmemory", "0"),
                ("maxmemory_policy", "noeviction"),
            ],
            "persistence" =>
            [
                ("loading", "0"),
                ("aof_enabled", "1"),
                ("rdb_last_save_time", I(client.Store.LastSaveUnixMs / 1000)), // the last sync of the log (LASTSAVE)
                ("fornax_durability", durability),
                ("fornax_read_only", client.Store.IsReadOnly ? "1" : "0"),
                ("fornax_records_loaded", I(stats.RecordsLoaded)),
                ("fornax_pending_disk_writes", I(stats.PendingDiskWrites)),
                ("fornax_tombstones", I(stats.Tombstones)),
            ],
            "stats" =>
            [
                ("total_connections_received", server.TotalConnections.ToString(CultureInfo.InvariantCulture)),
                ("total_commands_processed", server.TotalCommands.ToString(CultureInfo.InvariantCulture)),
                ("total_net_input_bytes", I(server.NetInputBytes)),
                ("total_net_output_bytes", I(server.NetOutputBytes)),
                ("expired_keys", I(server.KeyspaceFigures(stats).Expired)),
                ("evicted_keys", "0"), // nothing is evicted (maxmemory 0, noeviction)
                ("keyspace_hits", I(server.KeyspaceFigures(stats).Hits)),
                ("keyspace_misses", I(server.KeyspaceFigures(stats).Misses)),
                ("total_error_replies", I(server.ErrorStats.Total)),
                ("pubsub_channels", I(server.PubSub.ChannelCount)),
                ("pubsub_patterns", I(server.PubSub.PatternCount)),
            ],
            "commandstats" => server.CommandStats.Snapshot().Select(c => ($"cmdstat_{c.Command}",
                $"calls={c.Calls},usec={c.Microseconds},usec_per_call={(c.Calls == 0 ? 0 : (double)c.Microseconds / c.Calls).ToString("0.00", CultureInfo.InvariantCulture)},rejected_calls={c.RejectedCalls},failed_calls={c.FailedCalls}")),
            "errorstats" => server.ErrorStats.Snapshot().Select(e => ($"errorstat_{e.Code}", $"count={e.Count}")),
            // Redis' default percentiles (latency-tracking-info-percentiles "50 99 99.9"), in µs: the upper end of the
            // bucket (about 6% wide) the percentile falls in.
            "latencystats" => server.CommandStats.Latencies().Select(l => ($"latency_percentiles_usec_{l.Command}",
                $"p50={Micros(l.Latency.ValueAtPercentile(50))},p99={Micros(l.Latency.ValueAtPercentile(99))},p99.9={Micros(l.Latency.ValueAtPercentile(99.9))}")),
            // Every site is a writable replica (active-active): Redis' master/replica fields would mislead, so the peers
            // (neighbouring sites on the tree that this site replicates with) are listed in fields of our own.
            "replication" => new[] { ("role", "master"), ("connected_slaves", "0"), ("fornax_peers", I(stats.Peers.Count)) }
                .Concat(stats.Peers.Select((p, i) => ($"fornax_peer{i}", $"site={p.Site},connected={(p.Connected ? 1 : 0)},pending_keys={p.PendingKeys},lag_ms={(long)p.Lag.TotalMilliseconds},bytes_sent={p.BytesSent},bytes_received={p.BytesReceived},keys_sent={p.KeysSent},batches_sent={p.BatchesSent},catch_ups={p.CatchUps},deltas_without_base={p.DeltasWithoutBase}"))),
            "cpu" =>
            [
                ("used_cpu_sys", Process.GetCurrentProcess().PrivilegedProcessorTime.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture)),
                ("used_cpu_user", Process.GetCurrentProcess().UserProcessorTime.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture)),
            ],
            "keyspace" => stats.Keys > 0 ? [("db0", $"keys={stats.Keys},expires={stats.KeysWithExpiry},avg_ttl=0")] : [],
            _ => [],
        };
    }
}
