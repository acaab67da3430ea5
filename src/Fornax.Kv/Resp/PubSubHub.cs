using Fornax.Kv.Engine;

namespace Fornax.Kv.Resp;

/// <summary>
/// Who is subscribed to what at this site (SUBSCRIBE, PSUBSCRIBE) and PUBLISH's delivery: each receiving connection
/// gets the message queued as a push (<see cref="RespConnection.Push"/>), which its own loop sends after whatever reply
/// it is sending. As in Redis a message is delivered at most once, to the connections subscribed when it is published;
/// nothing is stored or sent to other sites.
/// </summary>
internal sealed class PubSubHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<byte[], HashSet<RespConnection>> _channels = new(ByteArrayComparer.Instance);
    private readonly Dictionary<byte[], HashSet<RespConnection>> _patterns = new(ByteArrayComparer.Instance);

    public int ChannelCount
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    public int PatternCount
    {
        get
        {
            lock (_gate)
            {
                return _patterns.Count;
            }
        }
    }

    public void Add(RespConnection client, byte[] name, bool pattern)
    {
        lock (_gate)
        {
            var map = pattern ? _patterns : _channels;
            if (!map.TryGetValue(name, out var subscribers))
            {
                map[name] = subscribers = [];
            }

            subscribers.Add(client);
        }
    }

    public void Remove(RespConnection client, byte[] name, bool pattern)
    {
        lock (_gate)
        {
            var map = pattern ? _patterns : _channels;
            if (map.TryGetValue(name, out var subscribers) && subscribers.Remove(client) && subscribers.Count == 0)
            {
                map.Remove(name);
            }
        }
    }

    /// <summary>Delivers <paramref name="message"/> to every subscriber of the channel and of each matching pattern; returns how many it reached.</summary>
    public int Publish(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
    {
        var frames = new Frames(null);
        var receivers = 0;
        lock (_gate)
        {
            if (_channels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var subscribers))
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Push(frames.For(subscriber.Reply.IsResp3, channel, message));
                    receivers++;
                }
            }

            foreach (var (pattern, patternSubscribers) in _patterns)
            {
                if (!Glob.IsMatch(pattern, channel))
                {
                    continue;
                }

                var pmessage = new Frames(pattern);
                foreach (var subscriber in patternSubscribers)
                {
                    subscriber.Push(pmessage.For(subscriber.Reply.IsResp3, channel, message));
                    receivers++;
                }
            }
        }

        return receivers;
    }

    /// <summary>PUBSUB CHANNELS: the channels with a subscriber, those matching <paramref name="pattern"/> if given.</summary>
    public List<byte[]> Channels(ReadOnlySpan<byte> pattern, bool all)
    {
        lock (_gate)
        {
            var result = new List<byte[]>();
            foreach (var channel in _channels.Keys)
            {
                if (all || Glob.IsMatch(pattern, channel))
                {
                    result.Add(channel);
                }
            }

            return result;
        }
    }

    /// <summary>PUBSUB NUMSUB: the connections subscribed to the channel itself (pattern subscriptions not counted).</summary>
    public int Subscribers(ReadOnlySpan<byte> channel)
    {
        lock (_gate)
        {
            return _channels.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(channel, out var subscribers) ? subscribers.Count : 0;
        }
    }

    /// <summary>One publish's frame to a channel's (or one pattern's) subscribers, encoded once per protocol and shared by
    /// the subscribers that speak it: <c>message channel payload</c>, or <c>pmessage pattern channel payload</c>.</summary>
    private sealed class Frames(byte[]? pattern)
    {
        private byte[]? _resp2;
        private byte[]? _resp3;

        public byte[] For(bool resp3, ReadOnlySpan<byte> channel, ReadOnlySpan<byte> message)
        {
            ref var frame = ref resp3 ? ref _resp3 : ref _resp2;
            if (frame is null)
            {
                var writer = new RespReplyWriter { Protocol = resp3 ? 3 : 2 };
                writer.Push(pattern is null ? 3 : 4);
                writer.Bulk(pattern is null ? "message"u8 : "pmessage"u8);
                if (pattern is not null)
                {
                    writer.Bulk(pattern);
                }

                writer.Bulk(channel);
                writer.Bulk(message);
                frame = writer.Written.ToArray();
            }

            return frame;
        }
    }
}
