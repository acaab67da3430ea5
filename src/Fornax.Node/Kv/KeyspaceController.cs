using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Sites;
using Fornax.Store;
using Microsoft.Extensions.Hosting;

namespace Fornax.Node.Kv;

/// <summary>
/// Keeps the store's replicated prefixes equal to the <c>Keyspace</c> objects at this site (delivered by missions)
/// whose <c>spec.placement</c> selects it, with the replicas the site took on itself (<see cref="Locality.KeyspaceHoldings"/>).
/// </summary>
internal sealed class KeyspaceController(IObjectStore objects, LocalSite site, KvMetrics metrics, KeyspaceDirectory directory, Locality.KeyspaceHoldings holdings) : BackgroundService
{
    private readonly Dictionary<ObjectKey, string?> _placedHere = [];

    /// <summary>The store's instruments live as long as the site (made here, the first of its KV services to start).</summary>
    public KvMetrics Metrics { get; } = metrics;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var list = await objects.ListAsync("Keyspace", null, stoppingToken);
                _placedHere.Clear();
                foreach (var item in list.Items)
                {
                    _placedHere[item.Key] = PrefixIfPlaced(item);
                }

                // A list after the watch fell behind: what was deleted meanwhile is only missing from it.
                directory.KeepOnly(_placedHere.Keys.Select(k => (k.Namespace, k.Name)));
                Apply();
                await foreach (var change in objects.WatchAsync(list.ResourceVersion, "Keyspace", ct: stoppingToken))
                {
                    _placedHere[change.Object.Key] = change.Type == WatchEventType.Deleted ? Forget(change.Object.Key) : PrefixIfPlaced(change.Object);
                    Apply();
                }
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.Gone)
            {
                // fell behind the watch history: list again
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private string? Forget(ObjectKey key)
    {
        directory.Set(key.Namespace, key.Name, null);
        return null;
    }

    private string? PrefixIfPlaced(StoredObject stored)
    {
        var keyspace = ObjectSerializer.FromJson<Keyspace>(stored.Object);
        directory.Set(stored.Key.Namespace, stored.Key.Name, keyspace.Spec.Prefix);
        return KeyspacePlacement.SelectsSite(keyspace, site) ? keyspace.Spec.Prefix : null;
    }

    private void Apply() =>
        holdings.SetPlaced(_placedHere.Where(p => p.Value is not null).Select(p => ((p.Key.Namespace, p.Key.Name), p.Value!)));
}
