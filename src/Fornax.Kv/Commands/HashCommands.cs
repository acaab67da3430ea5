using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>The hash commands: observed-remove maps of LWW registers, HINCRBY fields as counters.</summary>
internal static partial class HashCommands
{
    public static void Register(List<RespCommand> commands)
    {
        const CommandFlags Write = CommandFlags.Write | CommandFlags.Fast;
        const CommandFlags Read = CommandFlags.ReadOnly | CommandFlags.Fast;
        commands.Add(new("hset", -4, Write, 1, 1, 1, "hash", "Creates or modifies the value of a field in a hash.") { Kv = HSet, Since = "2.0.0" });
        commands.Add(new("hmset", -4, Write, 1, 1, 1, "hash", "Sets the values of multiple fields.") { Kv = HSet, Since = "2.0.0" });
        commands.Add(new("hsetnx", 4, Write, 1, 1, 1, "hash", "Sets the value of a field in a hash only when the field doesn't exist.") { Kv = HSetNx, Since = "2.0.0" });
        commands.Add(new("hget", 3, Read, 1, 1, 1, "hash", "Returns the value of a field in a hash.") { Kv = HGet, Since = "2.0.0" });
        commands.Add(new("hmget", -3, Read, 1, 1, 1, "hash", "Returns the values of all fields in a hash.") { Kv = HMGet, Since = "2.0.0" });
        commands.Add(new("hdel", -3, Write, 1, 1, 1, "hash", "Deletes one or more fields and their values from a hash.") { Kv = HDel, Since = "2.0.0" });
        commands.Add(new("hgetall", 2, CommandFlags.ReadOnly, 1, 1, 1, "hash", "Returns all fields and values in a hash.") { Kv = HGetAll, Since = "2.0.0" });
        commands.Add(new("hkeys", 2, CommandFlags.ReadOnly, 1, 1, 1, "hash", "Returns all fields in a hash.") { Kv = (tx, a, c) => Entries(tx, a, c, keys: true), Since = "2.0.0" });
        commands.Add(new("hvals", 2, CommandFlags.ReadOnly, 1, 1, 1, "hash", "Returns all values in a hash.") { Kv = (tx, a, c) => Entries(tx, a, c, keys: false), Since = "2.0.0" });
        commands.Add(new("hlen", 2, Read, 1, 1, 1, "hash", "Returns the number of fields in a hash.") { Kv = (tx, a, c) => c.Reply.Integer(tx.HashCount(a[1])), Since = "2.0.0" });
        commands.Add(new("hexists", 3, Read, 1, 1, 1, "hash", "Determines whether a field exists in a hash.") { Kv = (tx, a, c) => c.Reply.Integer(tx.HashTryGet(a[1], a[2], out _) ? 1 : 0), Since = "2.0.0" });
        commands.Add(new("hstrlen", 3, Read, 1, 1, 1, "hash", "Returns the length of the value of a field.") { Kv = (tx, a, c) => c.Reply.Integer(tx.HashTryGet(a[1], a[2], out var v) ? v.Length : 0), Since = "3.2.0" });
        commands.Add(new("hincrby", 4, Write, 1, 1, 1, "hash", "Increments the integer value of a field in a hash by a number.") { Kv = HIncrBy, Since = "2.0.0" });
        commands.Add(new("hincrbyfloat", 4, Write, 1, 1, 1, "hash", "Increments the floating point value of a field by a number.") { Kv = HIncrByFloat, Since = "2.6.0" });
        commands.Add(new("hscan", -3, CommandFlags.ReadOnly, 1, 1, 1, "hash", "Iterates over fields and values of a hash.") { Kv = HScan, Since = "2.8.0" });
        commands.Add(new("hrandfield", -2, CommandFlags.ReadOnly, 1, 1, 1, "hash", "Returns one or more random fields from a hash.") { Kv = HRandField, Since = "6.2.0" });
    }

    private static void HSet(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var hmset = args.Is(0, "HMSET"u8);
        if (args.Count % 2 != 0)
        {
            client.Reply.Error(RespErrors.WrongArity(hmset ? "hmset" : "hset"));
            return;
        }

        var added = 0;
        for (var i = 2; i < args.Count; i += 2)
        {
            added += tx.HashSet(args[1], args[i], args[i + 1]) ? 1 : 0;
        }

        if (hmset)
        {
            client.Reply.Ok();
        }
        else
        {
            client.Reply.Integer(added);
        }
    }

    private static void HSetNx(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (tx.HashTryGet(args[1], args[2], out _))
        {
            client.Reply.Integer(0);
            return;
        }

        tx.HashSet(args[1], args[2], args[3]);
        client.Reply.Integer(1);
    }

    private static void HGet(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (tx.HashTryGet(args[1], args[2], out var value))
        {
            client.Reply.Bulk(value);
        }
        else
        {
            client.Reply.Null();
        }
    }

    private static void HMGet(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        tx.HashCount(args[1]); // WRONGTYPE before the array header is written
        client.Reply.Array(args.Count - 2);
        for (var i = 2; i < args.Count; i++)
        {
            if (tx.HashTryGet(args[1], args[i], out var value))
            {
                client.Reply.Bulk(value);
            }
            else
            {
                client.Reply.Null();
            }
        }
    }

    private static void HDel(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var deleted = 0;
        for (var i = 2; i < args.Count; i++)
        {
            deleted += tx.HashDelete(args[1], args[i]) ? 1 : 0;
        }

        client.Reply.Integer(deleted);
    }

    private static void HGetAll(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        tx.HashEntries(args[1], entries);
        Replies.Map(client.Reply, entries);
    }

    private static void Entries(IKvTransaction tx, RespArgs args, RespConnection client, bool keys)
    {
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        tx.HashEntries(args[1], entries);
        client.Reply.Array(entries.Count);
        entries.ForEach(e => client.Reply.Bulk(keys ? e.Key : e.Value));
    }

    private static void HIncrBy(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!RespText.TryParseInt64(args[3], out var delta))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        client.Reply.Integer(tx.HashIncrementBy(args[1], args[2], delta));
    }

    private static void HIncrByFloat(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!RespText.TryParseDouble(args[3], out var delta))
        {
            client.Reply.Error(RespErrors.NotFloat);
            return;
        }

        if (!double.IsFinite(delta))
        {
            client.Reply.Error("ERR value is NaN or Infinity"); // redis-server's words for an increment it refuses before the key
            return;
        }

        client.Reply.Bulk(RespText.FormatDouble(tx.HashIncrementByFloat(args[1], args[2], delta)));
    }
}
