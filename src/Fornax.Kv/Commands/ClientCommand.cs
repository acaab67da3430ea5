using System.Text;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>CLIENT ID, SETNAME, GETNAME, INFO, LIST, KILL, SETINFO, NO-EVICT, NO-TOUCH, HELP, as clients use them.</summary>
internal static partial class ClientCommand
{
    public const string InvalidName = "ERR Client names cannot contain spaces, newlines or special characters.";

    public static ValueTask Run(RespConnection client, RespArgs args)
    {
        var reply = client.Reply;
        var sub = args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "ID" when args.Count == 2:
                reply.Integer(client.Id);
                break;
            case "GETNAME" when args.Count == 2:
                if (client.Name is { } name)
                {
                    reply.Bulk(name);
                }
                else
                {
                    reply.Null();
                }

                break;
            case "SETNAME" when args.Count == 3:
                SetName(client, args.String(2));
                break;
            case "SETINFO" when args.Count == 4:
                SetInfo(client, args.String(2), args.String(3));
                break;
            case "INFO" when args.Count == 2:
                reply.Verbatim(Describe(client) + "\n");
                break;
            case "KILL" when args.Count >= 3:
                Kill(client, args);
                break;
            case "LIST":
                List(client, args);
                break;
            case "NO-EVICT" or "NO-TOUCH" when args.Count == 3 && (args.Is(2, "ON"u8) || args.Is(2, "OFF"u8)):
                reply.Ok(); // nothing is evicted and nothing tracks access time here: both settings change nothing
                break;
            case "HELP" when args.Count == 2:
                Replies.Help(reply, Help);
                break;
            case "ID" or "GETNAME" or "SETNAME" or "SETINFO" or "INFO" or "KILL" or "NO-EVICT" or "NO-TOUCH" or "HELP":
                reply.Error(RespErrors.WrongArity("client|" + sub.ToLowerInvariant()));
                break;
            default:
                reply.Error(RespErrors.UnknownSubcommand(args.String(1), "CLIENT"));
                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Redis allows printable ASCII without spaces ('!' to '~').</summary>
    public static bool IsValidName(string name) => name.All(c => c is > ' ' and <= '~');

    /// <summary>One CLIENT LIST line, with Redis 7's fields (those that mean nothing here are 0): multi is the commands
    /// queued in a MULTI (-1 outside one), qbuf the received bytes not parsed yet, argv-mem the arguments of the
    /// command not yet whole (parsed out of qbuf, as in Redis), omem the replies not sent yet, tot-mem the three.</summary>
    public static string Describe(RespConnection c)
    {
        var now = c.Server.Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var flags = c.Blocked ? "b" : c.InMulti ? "x" : c.Subscriptions > 0 ? "P" : "N";
        var (query, arguments, output) = ((long)c.Input.Length, (long)c.Parser.PartialArgumentBytes, (long)c.Reply.Pending.Length + c.QueuedPushBytes);
        return $"id={c.Id} addr={c.Remote} laddr={c.Local} fd=-1 name={c.Name} age={(now - c.ConnectedAtMs) / 1000} idle={(now - c.LastCommandAtMs) / 1000} "
            + $"flags={flags} db=0 sub={c.ChannelSubscriptions} psub={c.PatternSubscriptions} ssub=0 multi={(c.InMulti ? c.QueuedCommands : -1)} watch={c.WatchedKeys} qbuf={query} qbuf-free=0 argv-mem={arguments} multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem={output} tot-mem={query + arguments + output} "
            + $"events=r cmd={c.LastCommand} user=default redir=-1 resp={c.Reply.Protocol} lib-name={c.LibraryName} lib-ver={c.LibraryVersion}";
    }

    private static void SetName(RespConnection client, string name)
    {
        if (!IsValidName(name))
        {
            client.Reply.Error(InvalidName);
            return;
        }

        client.Name = name.Length == 0 ? null : name;
        client.Reply.Ok();
    }

    private static void SetInfo(RespConnection client, string attribute, string value)
    {
        if (!IsValidName(value) && value.Length > 0)
        {
            client.Reply.Error($"ERR {attribute} cannot contain spaces, newlines or special characters.");
            return;
        }

        if (attribute.Equals("lib-name", StringComparison.OrdinalIgnoreCase))
        {
            client.LibraryName = value;
        }
        else if (attribute.Equals("lib-ver", StringComparison.OrdinalIgnoreCase))
        {
            client.LibraryVersion = value;
        }
        else
        {
            client.Reply.Error($"ERR Unrecognized option '{attribute}'");
            return;
        }

        client.Reply.Ok();
    }

    /// <summary>CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...].</summary>
    private static void List(RespConnection client, RespArgs args)
    {
        HashSet<long>? ids = null;
        var normalOnly = true;
        for (var i = 2; i < args.Count; i++)
        {
            if (args.Is(i, "TYPE"u8) && i + 1 < args.Count)
            {
                var type = args.String(++i).ToLowerInvariant();
                if (type is not ("normal" or "master" or "replica" or "slave" or "pubsub"))
                {
                    client.Reply.Error($"ERR Unknown client type '{type}'");
                    return;
                }

                normalOnly = type == "normal";
            }
            else if (args.Is(i, "ID"u8) && i + 1 < args.Count)
            {
                ids = [];
                while (++i < args.Count)
                {
                    if (!RespText.TryParseInt64(args[i], out var id) || id <= 0)
                    {
                        client.Reply.Error("ERR Invalid client ID");
                        return;
                    }

                    ids.Add(id);
                }
            }
            else
            {
                client.Reply.Error(RespErrors.Syntax);
                return;
            }
        }

        var text = new StringBuilder();
        foreach (var other in client.Server.Clients.OrderBy(c => c.Id))
        {
            if (normalOnly && (ids is null || ids.Contains(other.Id)))
            {
                text.Append(Describe(other)).Append('\n');
            }
        }

        client.Reply.Verbatim(text.ToString());
    }

    private static readonly string[] Help =
    [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
        "    * USER <username>", "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
        "    * ID <client-id>", "      Kill connections by client id.",
        "LIST [TYPE <normal|master|replica|pubsub>] [ID <id> [<id> ...]]", "    Return information about client connections.",
        "SETINFO <LIB-NAME|LIB-VER> <value>", "    Set client meta attr.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "HELP", "    Print this help.",
    ];
}
