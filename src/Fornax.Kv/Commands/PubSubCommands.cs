using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB, with Redis 7's replies: among the clients of
/// one site (<see cref="PubSubHub"/>). Subscribe replies are pushes in RESP3 and arrays in RESP2, as in Redis.
/// </summary>
internal static class PubSubCommands
{
    private const CommandFlags Subscriber = CommandFlags.PubSubContext | CommandFlags.Fast;

    private static readonly string[] Help =
    [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("subscribe", -2, Subscriber, 0, 0, 0, "pubsub", "Listens for messages published to channels.") { Session = (c, a) => Subscribe(c, a, pattern: false), Since = "2.0.0" });
        commands.Add(new("psubscribe", -2, Subscriber, 0, 0, 0, "pubsub", "Listens for messages published to channels that match patterns.") { Session = (c, a) => Subscribe(c, a, pattern: true), Since = "2.0.0" });
        commands.Add(new("unsubscribe", -1, Subscriber, 0, 0, 0, "pubsub", "Stops listening to messages posted to channels.") { Session = (c, a) => Unsubscribe(c, a, pattern: false), Since = "2.0.0" });
        commands.Add(new("punsubscribe", -1, Subscriber, 0, 0, 0, "pubsub", "Stops listening to messages published to channels that match patterns.") { Session = (c, a) => Unsubscribe(c, a, pattern: true), Since = "2.0.0" });
        commands.Add(new("publish", 3, CommandFlags.Fast, 0, 0, 0, "pubsub", "Posts a message to a channel (the subscribers at this site).") { Session = Publish, Since = "2.0.0" });
        commands.Add(new("pubsub", -2, CommandFlags.None, 0, 0, 0, "pubsub", "A container for Pub/Sub commands.") { Session = PubSub, Since = "2.8.0", Subcommands = ["channels", "numsub", "numpat", "help"] });
    }

    private static ValueTask Subscribe(RespConnection client, RespArgs args, bool pattern)
    {
        for (var i = 1; i < args.Count; i++)
        {
            var name = args.Copy(i);
            client.Subscribe(name, pattern);
            Confirm(client, pattern ? "psubscribe"u8 : "subscribe"u8, name);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Without arguments: every subscription of the kind, each confirmed; with none left, one confirmation with a null name.</summary>
    private static ValueTask Unsubscribe(RespConnection client, RespArgs args, bool pattern)
    {
        var kind = pattern ? "punsubscribe"u8 : "unsubscribe"u8;
        var names = args.Count > 1 ? [.. Enumerable.Range(1, args.Count - 1).Select(args.Copy)] : client.Subscribed(pattern);
        if (names.Count == 0)
        {
            Confirm(client, kind, null);
        }

        foreach (var name in names)
        {
            client.Unsubscribe(name, pattern);
            Confirm(client, kind, name);
        }

        return ValueTask.CompletedTask;
    }

    private static void Confirm(RespConnection client, ReadOnlySpan<byte> kind, byte[]? name)
    {
        var reply = client.Reply;
        reply.Push(3);
        reply.Bulk(kind);
        if (name is null)
        {
            reply.Null();
        }
        else
        {
            reply.Bulk(name);
        }

        reply.Integer(client.Subscriptions);
    }

    private static ValueTask Publish(RespConnection client, RespArgs args)
    {
        client.Reply.Integer(client.Server.PubSub.Publish(args[1], args[2]));
        return ValueTask.CompletedTask;
    }

    private static ValueTask PubSub(RespConnection client, RespArgs args)
    {
        var reply = client.Reply;
        var hub = client.Server.PubSub;
        var sub = args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "CHANNELS" when args.Count <= 3:
                Replies.Array(reply, hub.Channels(args.Count == 3 ? args[2] : [], all: args.Count == 2));
                break;
            case "NUMSUB":
                reply.Array((args.Count - 2) * 2); // a flat array in RESP3 too, as Redis answers
                for (var i = 2; i < args.Count; i++)
                {
                    reply.Bulk(args[i]);
                    reply.Integer(hub.Subscribers(args[i]));
                }

                break;
            case "NUMPAT" when args.Count == 2:
                reply.Integer(hub.PatternCount);
                break;
            case "HELP" when args.Count == 2:
                Replies.Help(reply, Help);
                break;
            case "CHANNELS" or "NUMPAT" or "HELP":
                reply.Error(RespErrors.WrongArity("pubsub|" + sub.ToLowerInvariant()));
                break;
            default:
                reply.Error(RespErrors.UnknownSubcommand(args.String(1), "PUBSUB"));
                break;
        }

        return ValueTask.CompletedTask;
    }
}
