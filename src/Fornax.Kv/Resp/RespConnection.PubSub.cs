using Fornax.Kv.Engine;

namespace Fornax.Kv.Resp;

// Pub/sub: this connection's subscriptions, and the messages queued for it by publishers on other connections. Only the
// connection's own loop writes to its socket: a publisher queues the message and wakes the loop, which sends the queue
// after the replies it is sending (so a SUBSCRIBE's confirmation always comes before the channel's first message).
internal sealed partial class RespConnection
{
    /// <summary>As Redis' client-output-buffer-limit for pub/sub clients (32 MB hard): a subscriber that reads slower than
    /// messages arrive is disconnected rather than let the site's memory grow without bound.</summary>
    public const long MaxQueuedPushBytes = 32L << 20;

    private readonly Lock _pushGate = new();
    private readonly HashSet<byte[]> _channels = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _patterns = new(ByteArrayComparer.Instance);
    private List<byte[]> _pushes = [];
    private long _pushBytes;
    private TaskCompletionSource? _pushArrived;
    private Action? _wakeForPushes;

    /// <summary>Set when the queue overflowed and the connection was ended: nothing more is queued.</summary>
    private bool _pushOverflowed;

    /// <summary>Channels and patterns subscribed to: the count SUBSCRIBE and UNSUBSCRIBE answer with.</summary>
    public int Subscriptions => _channels.Count + _patterns.Count;

    public int ChannelSubscriptions => _channels.Count;

    public int PatternSubscriptions => _patterns.Count;

    /// <summary>RESP2's subscribed state, in which only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT and RESET may run.</summary>
    public bool InSubscribeMode => Subscriptions > 0 && !Reply.IsResp3;

    /// <summary>How the pipe loop is woken for pushes (the socket loop waits on <see cref="PushArrivedAsync"/> instead).</summary>
    public void OnPushes(Action wake) => _wakeForPushes = wake;

    public void Subscribe(byte[] name, bool pattern)
    {
        if ((pattern ? _patterns : _channels).Add(name))
        {
            Server.PubSub.Add(this, name, pattern);
        }
    }

    public void Unsubscribe(byte[] name, bool pattern)
    {
        if ((pattern ? _patterns : _channels).Remove(name))
        {
            Server.PubSub.Remove(this, name, pattern);
        }
    }

    /// <summary>The channels (or patterns) subscribed to, in no particular order: what UNSUBSCRIBE without arguments ends.</summary>
    public List<byte[]> Subscribed(bool pattern) => [.. pattern ? _patterns : _channels];

    /// <summary>Ends every subscription (RESET, and the connection's end).</summary>
    public void UnsubscribeAll()
    {
        foreach (var channel in Subscribed(pattern: false))
        {
            Unsubscribe(channel, pattern: false);
        }

        foreach (var pattern in Subscribed(pattern: true))
        {
            Unsubscribe(pattern, pattern: true);
        }
    }

    /// <summary>A publisher (any thread) queues a message for this connection; past <see cref="MaxQueuedPushBytes"/> unsent, the connection is ended.</summary>
    public void Push(byte[] frame)
    {
        TaskCompletionSource? arrived = null;
        var overflowed = false;
        lock (_pushGate)
        {
            if (_pushOverflowed)
            {
                return;
            }

            if (_pushBytes + frame.Length > MaxQueuedPushBytes)
            {
                _pushOverflowed = overflowed = true;
                _pushes = [];
                Volatile.Write(ref _pushBytes, 0);
            }
            else
            {
                _pushes.Add(frame);
                Volatile.Write(ref _pushBytes, _pushBytes + frame.Length);
                arrived = _pushArrived;
                _pushArrived = null;
            }
        }

        if (overflowed)
        {
            Kill();
            return;
        }

        arrived?.TrySetResult();
        _wakeForPushes?.Invoke();
    }

    /// <summary>Completes when a message is queued (at once if one is): what an idle subscriber's socket loop waits on beside its receive.</summary>
    public Task PushArrivedAsync()
    {
        lock (_pushGate)
        {
            if (_pushes.Count > 0)
            {
                return Task.CompletedTask;
            }

            _pushArrived ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _pushArrived.Task;
        }
    }

    /// <summary>Bytes queued for this subscriber, not sent yet (CLIENT LIST's omem counts them); read without the lock.</summary>
    public long QueuedPushBytes => Volatile.Read(ref _pushBytes);

    /// <summary>Whether messages are queued: the loop checks after every batch of replies.</summary>
    public bool HasPushes => QueuedPushBytes > 0;

    /// <summary>Moves the queued messages, in the order published, after the replies gathered so far (they go out in the same send).</summary>
    public void AppendPushesToReply()
    {
        List<byte[]> taken;
        lock (_pushGate)
        {
            if (_pushes.Count == 0)
            {
                return;
            }

            taken = _pushes;
            _pushes = [];
            Volatile.Write(ref _pushBytes, 0);
        }

        foreach (var frame in taken)
        {
            Reply.Raw(frame);
        }
    }
}
