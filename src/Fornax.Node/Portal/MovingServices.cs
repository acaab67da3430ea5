using System.Collections.Concurrent;
using Fornax.Portal;

namespace Fornax.Node.Portal;

/// <summary>
/// A service whose backend is moving between sites: for a moment the old site no longer serves it and the map has not
/// heard of the new one yet (it does within one heartbeat of the new site serving it). A request in that moment waits
/// for the map to change rather than fail, for as long as <see cref="PortalOptions.RouteSettleTime"/> after the service
/// was last seen served; a service nobody served lately is answered at once.
/// </summary>
internal sealed class MovingServices(IServiceMap map, PortalOptions options)
{
    private readonly ConcurrentDictionary<ServiceKey, long> _lastServed = new();

    public void Served(ServiceKey service) => _lastServed[service] = options.TimeProvider.GetTimestamp();

    /// <summary>Waits for the map to move past <paramref name="seenVersion"/>; false when the service is not moving or the wait ran out.</summary>
    public async Task<bool> WaitForRouteAsync(ServiceKey service, long seenVersion, CancellationToken ct)
    {
        if (!_lastServed.TryGetValue(service, out var last))
        {
            return false;
        }

        var left = options.RouteSettleTime - options.TimeProvider.GetElapsedTime(last);
        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(left);
        try
        {
            await map.WaitForChangeAsync(seenVersion, wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
