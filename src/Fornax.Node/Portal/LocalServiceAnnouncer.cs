using System.Text.Json.Nodes;
using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// Puts this site's own announcement into the service map: every function deployed here (a service of its own name in
/// its namespace) and every <c>Service</c> with a backend served here (a function deployed here, or an address at this
/// site). It looks once per heartbeat interval, which is how fast the tree hears of a change anyway, and announces only
/// when what it serves changed.
/// </summary>
internal sealed partial class LocalServiceAnnouncer(
    IServiceMap map,
    IObjectStore store,
    FunctionRegistry functions,
    LocalSite site,
    NodeOptions options,
    Listeners listeners,
    LinkRunner links,
    Locality.KeyspaceHoldings keyspaces,
    ILogger<LocalServiceAnnouncer> log) : BackgroundService
{
    private TimeSpan? _announcedLatency;

    // Seeded from the clock in milliseconds so a restarted site's first announcement outranks the last one it made
    // before the restart (peers refuse versions at or below one they hold).
    private long _version = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, options.TimeProvider);
        try
        {
            do
            {
                try
                {
                    await AnnounceAsync(stoppingToken);
                }
                catch (StoreException e)
                {
                    LogAnnounceFailed(e.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The site is stopping (or disposed without a stop, which the host would otherwise log as this service failing).
        }
    }

    /// <summary>Announces what this site serves now; true when that changed the map.</summary>
    public async Task<bool> AnnounceAsync(CancellationToken ct)
    {
        var served = functions.Serving.Select(f => new ServiceKey(f.Key.Namespace, f.Key.Name)).ToHashSet();
        var services = await store.ListAsync("Service", null, ct);
        foreach (var service in services.Items)
        {
            if (ServedHere(service.Object))
            {
                served.Add(new ServiceKey(service.Key.Namespace, service.Key.Name));
            }
        }

        // The keyspaces held here travel with the services: the data-locality choice looks for them (docs/kv.md).
        served.UnionWith(keyspaces.Announced());
        var changed = map.Announce(new SiteAnnouncement(site.Path, PortalAddress(), Interlocked.Increment(ref _version), served) { UplinkLatency = Latency() });
        if (changed)
        {
            LogAnnounced(served.Count, string.Join(", ", served.Select(s => s.ToString()).Order(StringComparer.Ordinal)));
        }

        return changed;
    }

    /// <summary>
    /// The uplink's measured round trip as announced: it moves only when the measure moved by a fifth (and half a
    /// millisecond), so jitter does not send a change down the tree every heartbeat.
    /// </summary>
    private TimeSpan? Latency()
    {
        if (links.Uplink?.Latency is not { } measured)
        {
            return _announcedLatency;
        }

        if (_announcedLatency is not { } announced || (measured - announced).Duration() > TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(0.5).Ticks, announced.Ticks / 5)))
        {
            _announcedLatency = measured;
        }

        return _announcedLatency;
    }

    /// <summary>
    /// Peers' portals dial this site's link port (mutual TLS with the site certificates, HTTP/2), the port every site
    /// already serves to its children; empty until the listener is bound.
    /// </summary>
    private string PortalAddress()
    {
        var port = listeners.LinkPort;
        var host = options.Host == "localhost" ? "127.0.0.1" : options.Host;
        return port == 0 ? "" : host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
    }

    private bool ServedHere(JsonObject service)
    {
        foreach (var backend in service["spec"]?["backends"] as JsonArray ?? [])
        {
            if (backend?["function"]?.GetValue<string>() is { } function && functions.Find(function) is not null)
            {
                return true;
            }

            if (backend?["site"]?.GetValue<string>() == site.Name && backend["address"] is not null)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "This site serves {Count} service(s): {Services}")]
    private partial void LogAnnounced(int count, string services);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Could not read this site's services to announce them: {Reason}")]
    private partial void LogAnnounceFailed(string reason);
}
