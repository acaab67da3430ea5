using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>GET, SET and its family, MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE, SETRANGE (counters: <see cref="CounterCommands"/>).</summary>
internal static partial class StringCommands
{
    /// <summary>Redis' 512 MB string limit (proto-max-bulk-len's default), which SETRANGE and APPEND enforce.</summary>
    private const long MaxStringBytes = 512L * 1024 * 1024;

    public static void Register(List<RespCommand> commands)
    {
        const CommandFlags Write = CommandFlags.Write;
        const CommandFlags Read = CommandFlags.ReadOnly | CommandFlags.Fast;
        commands.Add(new("get", 2, Read, 1, 1, 1, "string", "Returns the string value of a key.") { Kv = Get });
        commands.Add(new("set", -3, Write, 1, 1, 1, "string", "Sets the string value of a key, ignoring its type.") { Kv = Set });
        commands.Add(new("setnx", 3, Write | CommandFlags.Fast, 1, 1, 1, "string", "Set the string value of a key only when the key doesn't exist.") { Kv = SetNx });
        commands.Add(new("setex", 4, Write, 1, 1, 1, "string", "Sets the string value and expiration time of a key.") { Kv = (tx, a, c) => SetWithExpiry(tx, a, c, 1000), Since = "2.0.0" });
        commands.Add(new("psetex", 4, Write, 1, 1, 1, "string", "Sets the string value and expiration time in milliseconds of a key.") { Kv = (tx, a, c) => SetWithExpiry(tx, a, c, 1), Since = "2.6.0" });
        commands.Add(new("getset", 3, Write | CommandFlags.Fast, 1, 1, 1, "string", "Returns the previous string value of a key after setting it to a new value.") { Kv = GetSet });
        commands.Add(new("getdel", 2, Write | CommandFlags.Fast, 1, 1, 1, "string", "Returns the string value of a key after deleting the key.") { Kv = GetDel, Since = "6.2.0" });
        commands.Add(new("getex", -2, Write | CommandFlags.Fast, 1, 1, 1, "string", "Returns the string value of a key after setting its expiration time.") { Kv = GetEx, Since = "6.2.0" });
        commands.Add(new("mget", -2, Read, 1, -1, 1, "string", "Atomically returns the string values of one or more keys.") { Kv = MGet });
        commands.Add(new("mset", -3, Write, 1, -1, 2, "string", "Atomically creates or modifies the string values of one or more keys.") { Kv = MSet });
        commands.Add(new("msetnx", -3, Write, 1, -1, 2, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.") { Kv = MSetNx });
        commands.Add(new("append", 3, Write | CommandFlags.Fast, 1, 1, 1, "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.") { Kv = Append, Since = "2.0.0" });
        commands.Add(new("strlen", 2, Read, 1, 1, 1, "string", "Returns the length of a string value.") { Kv = StrLen, Since = "2.2.0" });
        commands.Add(new("getrange", 4, CommandFlags.ReadOnly, 1, 1, 1, "string", "Returns a substring of the string stored at a key.") { Kv = GetRange, Since = "2.4.0" });
        commands.Add(new("substr", 4, CommandFlags.ReadOnly, 1, 1, 1, "string", "Returns a substring from a string value (GETRANGE's old name).") { Kv = GetRange });
        commands.Add(new("setrange", 4, Write, 1, 1, 1, "string", "Overwrites a part of a string value with another by an offset.") { Kv = SetRange, Since = "2.2.0" });
        CounterCommands.Register(commands);
    }

    private static void Get(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (tx.TryGetString(args[1], out var value))
        {
            client.Reply.Bulk(value);
        }
        else
        {
            client.Reply.Null();
        }
    }

    private static void SetNx(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (tx.TypeOf(args[1]) != KvType.None)
        {
            client.Reply.Integer(0);
            return;
        }

        tx.SetString(args[1], args[2], null, keepExpiry: false);
        client.Reply.Integer(1);
    }

    private static void SetWithExpiry(IKvTransaction tx, RespArgs args, RespConnection client, long unitMs)
    {
        var name = System.Text.Encoding.ASCII.GetString(args[0]).ToLowerInvariant();
        if (!RespText.TryParseInt64(args[2], out var value))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (value <= 0 || ExpiryCommands.ToUnixMs(value, unitMs, relative: true, tx.NowUnixMs) is not { } at)
        {
            client.Reply.Error(RespErrors.InvalidExpire(name));
            return;
        }

        tx.SetString(args[1], args[3], at, keepExpiry: false);
        client.Reply.Ok();
    }

    private static void GetSet(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        Get(tx, args, client);
        tx.SetString(args[1], args[2], null, keepExpiry: false);
    }

    private static void GetDel(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (tx.TryGetString(args[1], out var value))
        {
            client.Reply.Bulk(value);
            tx.Delete(args[1]);
        }
        else
        {
            client.Reply.Null();
        }
    }

    private static void MGet(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        client.Reply.Array(args.Count - 1);
        for (var i = 1; i < args.Count; i++)
        {
            // MGET answers nil for a key of another type rather than WRONGTYPE.
            if (tx.TypeOf(args[i]) == KvType.String && tx.TryGetString(args[i], out var value))
            {
                client.Reply.Bulk(value);
            }
            else
            {
                client.Reply.Null();
            }
        }
    }

    private static void MSet(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (args.Count % 2 == 0)
        {
            client.Reply.Error(RespErrors.WrongArity(args.Is(0, "MSET"u8) ? "mset" : "msetnx"));
            return;
        }

        for (var i = 1; i < args.Count; i += 2)
        {
            tx.SetString(args[i], args[i + 1], null, keepExpiry: false);
        }

        client.Reply.Ok();
    }

    private static void MSetNx(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (args.Count % 2 == 0)
        {
            client.Reply.Error(RespErrors.WrongArity("msetnx"));
            return;
        }

        for (var i = 1; i < args.Count; i += 2)
        {
            if (tx.TypeOf(args[i]) != KvType.None)
            {
                client.Reply.Integer(0);
                return;
            }
        }

        for (var i = 1; i < args.Count; i += 2)
        {
            tx.SetString(args[i], args[i + 1], null, keepExpiry: false);
        }

        client.Reply.Integer(1);
    }

    private static void Append(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        byte[] joined;
        if (tx.TryGetString(args[1], out var current))
        {
            if (current.Length + (long)args[2].Length > MaxStringBytes)
            {
                client.Reply.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
                return;
            }

            joined = [.. current, .. args[2]];
        }
        else
        {
            joined = args[2].ToArray();
        }

        tx.SetString(args[1], joined, null, keepExpiry: true);
        client.Reply.Integer(joined.Length);
    }

    private static void StrLen(IKvTransaction tx, RespArgs args, RespConnection client) =>
        client.Reply.Integer(tx.TryGetString(args[1], out var value) ? value.Length : 0);

    private static void GetRange(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!RespText.TryParseInt64(args[2], out var start) || !RespText.TryParseInt64(args[3], out var end))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (!tx.TryGetString(args[1], out var value) || (start < 0 && end < 0 && start > end))
        {
            client.Reply.Bulk(""u8);
            return;
        }

        var length = value.Length;
        start = start < 0 ? Math.Max(0, length + start) : start;
        end = end < 0 ? Math.Max(0, length + end) : end;
        end = Math.Min(end, length - 1);
        client.Reply.Bulk(start > end || length == 0 ? [] : value[(int)start..((int)end + 1)]);
    }

    private static void SetRange(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!RespText.TryParseInt64(args[2], out var offset))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (offset < 0)
        {
            client.Reply.Error("ERR offset is out of range");
            return;
        }

        var patch = args[3];
        var exists = tx.TryGetString(args[1], out var current);
        if (patch.IsEmpty)
        {
            client.Reply.Integer(exists ? current.Length : 0);
            return;
        }

        // Compared without adding, as Redis' checkStringLength guards its sum: offset may be near long.MaxValue.
        if (offset > MaxStringBytes - patch.Length)
        {
            client.Reply.Error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            return;
        }

        var value = new byte[Math.Max(current.Length, offset + patch.Length)];
        current.CopyTo(value);
        patch.CopyTo(value.AsSpan((int)offset));
        tx.SetString(args[1], value, null, keepExpiry: true);
        client.Reply.Integer(value.Length);
    }
}
