using Fornax.Node.Functions;
using Fornax.Node.Hosting;
using Fornax.Node.Sites;
using Fornax.Portal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// Puts this site's own announcement into the service map: every function deployed here (a service of its own name in
/// its namespace) and every <c>Service</c> with a backend served here (a function deployed here, or an address at this
/// site). It announces as soon as the functions serving here or the Services of the site change (so this site's portal
/// routes to its own new backend from the moment it serves, and the tree hears of it on the next push), and again every
/// heartbeat interval for what has no change event (the uplink's latency, the portal address once it is bound); the map
/// takes an announcement only when it differs.
/// </summary>
internal sealed partial class LocalServiceAnnouncer(
    IServiceMap map,
    ServiceCatalog catalog,
    FunctionRegistry functions,
    LocalSite site,
    NodeOptions options,
    Listeners listeners,
    LinkRunner links,
    Locality.KeyspaceHoldings keyspaces,
    ILogger<LocalServiceAnnouncer> log) : BackgroundService
{
    private readonly Lock _announcing = new();
    private TimeSpan? _announcedLatency;

    /// <summary>What the log last said this site serves: a change of the latency alone does not repeat it.</summary>
    private string? _loggedServices;

    // Seeded from the clock in milliseconds so a restarted site's first announcement outranks the last one it made
    // before the restart (peers refuse versions at or below one they hold).
    private long _version = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.HeartbeatInterval, options.TimeProvider);
        functions.ServingChanged += OnServedChanged;
        catalog.Changed += OnServedChanged;
        try
        {
            do
            {
                Announce();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The site is stopping (or disposed without a stop, which the host would otherwise log as this service failing).
        }
        finally
        {
            functions.ServingChanged -= OnServedChanged;
            catalog.Changed -= OnServedChanged;
        }
    }

    private void OnServedChanged() => Announce();

    /// <summary>Announces what this site serves now; true when that changed the map.</summary>
    public bool Announce()
    {
        // One at a time: the registry's loop, the catalog's and the timer all announce, and a later version must carry the later view.
        lock (_announcing)
        {
            var served = functions.Serving.Select(f => new ServiceKey(f.Key.Namespace, f.Key.Name)).ToHashSet();
            foreach (var (key, service) in catalog.Applied)
            {
                if (ServedHere(service))
                {
                    served.Add(key);
                }
            }

            // The keyspaces held here travel with the services: the data-locality choice looks for them (docs/kv.md).
            served.UnionWith(keyspaces.Announced());
            var latency = Latency();
            var changed = map.Announce(new SiteAnnouncement(site.Path, PortalAddress(), ++_version, served) { UplinkLatency = latency });
            if (!changed)
            {
                return false;
            }

            // On a busy machine the uplink's round trip moves past its fifth every few heartbeats: that is a change the
            // tree hears, but an information line repeating the same services each time hid the lines that mattered.
            var services = string.Join(", ", served.Select(s => s.ToString()).Order(StringComparer.Ordinal));
            if (services != _loggedServices)
            {
                _loggedServices = services;
                LogAnnounced(served.Count, services);
            }
            else
            {
                LogLatencyAnnounced(latency?.TotalMilliseconds);
            }

            return true;
        }
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

    private bool ServedHere(ServiceEntry service)
    {
        foreach (var backend in service.Backends)
        {
            if (backend.Function is { } function && functions.Find(function) is not null)
            {
                return true;
            }

            if (backend.Site == site.Name && backend.Address is not null)
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "This site serves {Count} service(s): {Services}")]
    private partial void LogAnnounced(int count, string services);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "This site's announcement changed (uplink round trip {Milliseconds} ms); the services it serves did not")]
    private partial void LogLatencyAnnounced(double? milliseconds);
}
