using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Fornax.Portal;
using Fornax.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Node.Portal;

/// <summary>
/// The <c>Service</c> objects of this site, in memory, kept current from the store's change feed: a portal looks one up
/// on every request, and a SQLite read plus a JSON parse per request was a tenth of the portal's CPU. It follows every
/// kind (not only Service) so that it knows how far the store it has seen goes; a lookup while the store is ahead of it
/// (a write committed, its change not applied here yet) reads the store instead, so a request after an apply always sees
/// that apply.
/// </summary>
internal sealed partial class ServiceCatalog(IObjectStore store, ILogger<ServiceCatalog> log) : BackgroundService
{
    private readonly Lock _gate = new();
    private FrozenDictionary<ServiceKey, ServiceEntry> _services = FrozenDictionary<ServiceKey, ServiceEntry>.Empty;

    // The store's resourceVersion that _services reflects; -1 until the first list.
    private long _seenVersion = -1;

    /// <summary>Raised on the catalog's loop after the Services it holds changed (a list or a change of a Service).</summary>
    public event Action? Changed;

    /// <summary>The Services as far as the catalog has applied the store's changes (what <see cref="Changed"/> announces).</summary>
    public IEnumerable<KeyValuePair<ServiceKey, ServiceEntry>> Applied => Volatile.Read(ref _services);

    /// <summary>The Service <paramref name="key"/> as stored now, or null when there is none.</summary>
    public ValueTask<ServiceEntry?> FindAsync(ServiceKey key, CancellationToken ct)
    {
        if (store.ResourceVersion <= Volatile.Read(ref _seenVersion))
        {
            return ValueTask.FromResult(Volatile.Read(ref _services).GetValueOrDefault(key));
        }

        return ReadAsync(key, ct);
    }

    private async ValueTask<ServiceEntry?> ReadAsync(ServiceKey key, CancellationToken ct) =>
        await store.GetAsync(new ObjectKey("Service", key.Namespace, key.Name), ct) is { } stored ? ServiceEntry.Parse(stored.Object) : null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        store.FollowAsync(null, (list, _) => Rebuild(list), (change, _) => Apply(change), stoppingToken, onGone: e => LogResync(e.Message));

    private Task Rebuild(ObjectList list)
    {
        var services = list.Items.Where(o => o.Key.Kind == "Service")
            .ToFrozenDictionary(o => new ServiceKey(o.Key.Namespace, o.Key.Name), o => ServiceEntry.Parse(o.Object));
        lock (_gate)
        {
            Volatile.Write(ref _services, services);
            Volatile.Write(ref _seenVersion, list.ResourceVersion);
        }

        Changed?.Invoke();
        return Task.CompletedTask;
    }

    private Task Apply(WatchEvent change)
    {
        var isService = change.Object.Key.Kind == "Service";
        lock (_gate)
        {
            if (isService)
            {
                var key = new ServiceKey(change.Object.Key.Namespace, change.Object.Key.Name);
                var services = _services.ToDictionary();
                if (change.Type == WatchEventType.Deleted)
                {
                    services.Remove(key);
                }
                else
                {
                    services[key] = ServiceEntry.Parse(change.Object.Object);
                }

                Volatile.Write(ref _services, services.ToFrozenDictionary());
            }

            // Published after the services: a reader that sees this version sees the change.
            Volatile.Write(ref _seenVersion, change.ResourceVersion);
        }

        if (isService)
        {
            Changed?.Invoke();
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "The service catalog fell behind the store ({Reason}); reading it again")]
    private partial void LogResync(string reason);
}

/// <summary>What a portal needs of a stored <c>Service</c>, parsed once.</summary>
/// <param name="Protocol"><c>http</c> or <c>tcp</c>.</param>
/// <param name="Backends">In their order.</param>
/// <param name="AllowedNamespaces">Null: every namespace may call.</param>
internal sealed record ServiceEntry(string Protocol, IReadOnlyList<ServiceEntryBackend> Backends, IReadOnlyList<string>? AllowedNamespaces)
{
    public static ServiceEntry Parse(JsonObject service)
    {
        var spec = service["spec"];
        var backends = (spec?["backends"] as JsonArray ?? [])
            .Select(b => new ServiceEntryBackend(Text(b?["function"]), Text(b?["site"]), Text(b?["address"])))
            .ToArray();
        var allowed = (spec?["allowedNamespaces"] as JsonArray)?.Select(n => Text(n) ?? "").ToArray();
        return new ServiceEntry(Text(spec?["protocol"]) ?? Fornax.Core.Objects.ServiceProtocols.Http, backends, allowed);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>One backend of a Service: a function, or an address at a site.</summary>
internal sealed record ServiceEntryBackend(string? Function, string? Site, string? Address);
