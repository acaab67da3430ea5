namespace Fornax.Store;

/// <summary>Fans committed changes out to live watchers.</summary>
internal sealed class WatchHub
{
    private readonly Lock _gate = new();

    // Copy-on-write so that Publish (on the write path) takes no lock.
    private WatchSubscription[] _subscriptions = [];
    private Exception? _closed;

    public WatchSubscription Subscribe(string? kind, string? @namespace, int capacity)
    {
        var subscription = new WatchSubscription(this, kind, @namespace, capacity);
        lock (_gate)
        {
            if (_closed is not null)
                subscription.Complete(_closed);
            else
                _subscriptions = [.. _subscriptions, subscription];
        }
        return subscription;
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
            _subscriptions = Array.FindAll(_subscriptions, s => s != subscription);
    }

    /// <summary>Called with the write gate held, so changes arrive in resourceVersion order.</summary>
    public void Publish(ChangeRecord change)
    {
        foreach (var subscription in Volatile.Read(ref _subscriptions))
            subscription.Offer(change);
    }

    /// <summary>Ends every watcher (and any later one) with <paramref name="error"/>.</summary>
    public void Close(Exception error)
    {
        WatchSubscription[] subscriptions;
        lock (_gate)
        {
            _closed = error;
            subscriptions = _subscriptions;
            _subscriptions = [];
        }
        foreach (var subscription in subscriptions)
            subscription.Complete(error);
    }
}
