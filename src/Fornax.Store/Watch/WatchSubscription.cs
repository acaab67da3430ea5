using System.Threading.Channels;

namespace Fornax.Store;

/// <summary>
/// The live feed of one watcher: a bounded channel the writer offers to without ever waiting.
/// When it is full the watcher has fallen behind; it is ended with Gone and must re-list.
/// </summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly Channel<ChangeRecord> _channel;
    private readonly WatchHub _hub;
    private readonly string? _kind;
    private readonly string? _namespace;
    private readonly int _capacity;

    public WatchSubscription(WatchHub hub, string? kind, string? @namespace, int capacity)
    {
        _hub = hub;
        _kind = kind;
        _namespace = @namespace;
        _capacity = capacity;
        _channel = Channel.CreateBounded<ChangeRecord>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // only so that TryWrite reports "full" instead of dropping
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<ChangeRecord> Reader => _channel.Reader;

    /// <summary>Called by the writer after commit, in resourceVersion order; never blocks.</summary>
    public void Offer(ChangeRecord change)
    {
        if (!change.Matches(_kind, _namespace) || _channel.Writer.TryWrite(change))
            return;
        _channel.Writer.TryComplete(StoreErrors.Gone(
            $"watch fell more than {_capacity} events behind at resourceVersion {change.ResourceVersion}; list and watch again"));
    }

    public void Complete(Exception error) => _channel.Writer.TryComplete(error);

    public void Dispose() => _hub.Unsubscribe(this);
}
