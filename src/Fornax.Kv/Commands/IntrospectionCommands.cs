using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// MEMORY USAGE and OBJECT: what operators' tools ask of a key (<c>redis-cli --memkeys</c> sums MEMORY USAGE; viewers
/// show OBJECT ENCODING). Redis 7's syntax, replies and errors.
/// </summary>
internal static class IntrospectionCommands
{
    /// <summary>Redis' default for MEMORY USAGE: a collection's size is estimated from five of its elements.</summary>
    private const int DefaultSamples = 5;

    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("memory", -2, CommandFlags.ReadOnly, 0, 0, 0, "server", "Estimates the memory a key takes (MEMORY USAGE).") { Kv = Memory, Since = "4.0.0", Subcommands = ["usage", "help", "stats", "doctor", "malloc-stats", "purge"] });
        commands.Add(new("object", -2, CommandFlags.ReadOnly, 0, 0, 0, "generic", "Inspects the internals of a key (OBJECT ENCODING, REFCOUNT).") { Kv = Object, Since = "2.2.3", Subcommands = ["encoding", "refcount", "freq", "idletime", "help"] });
    }

    private static void Memory(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        switch (args.String(1).ToUpperInvariant())
        {
            case "USAGE" when args.Count == 3 || (args.Count == 5 && args.Is(3, "SAMPLES"u8)):
                var samples = DefaultSamples;
                if (args.Count == 5)
                {
                    if (!RespText.TryParseInt64(args[4], out var count) || count < 0)
                    {
                        client.Reply.Error(count < 0 ? RespErrors.Syntax : RespErrors.NotInteger); // as Redis answers each
                        return;
                    }

                    samples = (int)Math.Min(count, int.MaxValue);
                }

                if (tx.MemoryUsage(args[2], samples) is { } bytes)
                {
                    client.Reply.Integer(bytes);
                }
                else
                {
                    client.Reply.Null();
                }

                break;
            case "USAGE" when args.Count >= 3:
                client.Reply.Error(RespErrors.Syntax);
                break;
            case "HELP" when args.Count == 2:
                Replies.Help(client.Reply, MemoryHelp);
                break;
            case "STATS" or "DOCTOR" or "MALLOC-STATS" or "PURGE" when args.Count == 2:
                client.Reply.Error($"ERR MEMORY {args.String(1).ToUpperInvariant()} is not supported by the Fornax KV store: INFO memory has the site's memory figures");
                break;
            case "USAGE" or "HELP" or "STATS" or "DOCTOR" or "MALLOC-STATS" or "PURGE":
                client.Reply.Error(RespErrors.WrongArity("memory|" + args.String(1).ToLowerInvariant()));
                break;
            default:
                client.Reply.Error(RespErrors.UnknownSubcommand(args.String(1), "MEMORY"));
                break;
        }
    }

    private static void Object(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var sub = args.String(1).ToUpperInvariant();
        if (sub == "HELP" && args.Count == 2)
        {
            Replies.Help(client.Reply, ObjectHelp);
            return;
        }

        if (sub is not ("ENCODING" or "REFCOUNT" or "FREQ" or "IDLETIME"))
        {
            client.Reply.Error(sub == "HELP" ? RespErrors.WrongArity("object|help") : RespErrors.UnknownSubcommand(args.String(1), "OBJECT"));
            return;
        }

        if (args.Count != 3)
        {
            client.Reply.Error(RespErrors.WrongArity("object|" + sub.ToLowerInvariant()));
            return;
        }

        var type = tx.TypeOf(args[2]);
        if (type == KvType.None)
        {
            client.Reply.Null();
            return;
        }

        switch (sub)
        {
            case "ENCODING":
                client.Reply.Bulk(Encoding(tx, args[2], type));
                break;
            case "REFCOUNT":
                client.Reply.Integer(1); // nothing shares a value here
                break;
            case "FREQ":
                // Redis' own text under any policy but LFU; this store evicts nothing and counts no accesses.
                client.Reply.Error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.");
                break;
            default:
                client.Reply.Error("ERR OBJECT IDLETIME is not supported by the Fornax KV store: it does not track when a key was last read");
                break;
        }
    }

    /// <summary>
    /// Redis' names for what holds the value here: a string that reads as a 64-bit integer is <c>int</c> (a counter
    /// always is), any other <c>raw</c>; sets and hashes are hash tables.
    /// </summary>
    private static string Encoding(IKvTransaction tx, ReadOnlySpan<byte> key, KvType type)
    {
        if (type != KvType.String)
        {
            return "hashtable";
        }

        return tx.TryGetString(key, out var value) && value.Length <= 20 && RespText.TryParseInt64(value, out _) ? "int" : "raw";
    }

    private static readonly string[] MemoryHelp =
    [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "USAGE <key> [SAMPLES <count>]",
        "    Return the estimated bytes the key takes in this site's memory, its CRDT metadata included. A set or hash",
        "    larger than <count> elements (default 5; 0: all of them) is estimated from that many.",
        "HELP",
        "    Print this help.",
    ];

    private static readonly string[] ObjectHelp =
    [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of structure that holds the key's value: int, raw or hashtable.",
        "REFCOUNT <key>",
        "    Return the number of references to the value (always 1 here).",
        "FREQ <key>, IDLETIME <key>",
        "    Not tracked: the store evicts nothing.",
        "HELP",
        "    Print this help.",
    ];
}
