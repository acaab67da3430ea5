using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>SLOWLOG GET, LEN, RESET, HELP: Redis 7's syntax, replies and errors (the log itself is <see cref="SlowLog"/>).</summary>
internal static class SlowlogCommand
{
    private const long DefaultCount = 10;

    private static readonly string[] Help =
    [
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(List<RespCommand> commands) =>
        commands.Add(new("slowlog", -2, CommandFlags.Admin, 0, 0, 0, "server", "A container for slow log commands.")
        {
            Session = Run,
            Since = "2.2.12",
            Subcommands = ["get", "len", "reset", "help"],
        });

    private static ValueTask Run(RespConnection client, RespArgs args)
    {
        var reply = client.Reply;
        var log = client.Server.SlowLog;
        var sub = args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "GET" when args.Count <= 3:
                var count = DefaultCount;
                if (args.Count == 3 && (!RespText.TryParseInt64(args[2], out count) || count < -1))
                {
                    reply.Error("ERR count should be greater than or equal to -1");
                    break;
                }

                Write(reply, log.Newest(count));
                break;
            case "LEN" when args.Count == 2:
                reply.Integer(log.Length);
                break;
            case "RESET" when args.Count == 2:
                log.Reset();
                reply.Ok();
                break;
            case "HELP" when args.Count == 2:
                Replies.Help(reply, Help);
                break;
            case "GET" or "LEN" or "RESET" or "HELP":
                reply.Error(RespErrors.WrongArity("slowlog|" + sub.ToLowerInvariant()));
                break;
            default:
                reply.Error(RespErrors.UnknownSubcommand(args.String(1), "SLOWLOG"));
                break;
        }

        return ValueTask.CompletedTask;
    }

    private static void Write(RespReplyWriter reply, List<SlowLogEntry> entries)
    {
        reply.Array(entries.Count);
        foreach (var entry in entries)
        {
            reply.Array(6);
            reply.Integer(entry.Id);
            reply.Integer(entry.UnixSeconds);
            reply.Integer(entry.Microseconds);
            reply.Array(entry.Arguments.Length);
            foreach (var argument in entry.Arguments)
            {
                reply.Bulk(argument);
            }

            reply.Bulk(entry.Client);
            reply.Bulk(entry.ClientName);
        }
    }
}
