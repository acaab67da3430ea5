using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>DEL, UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY (expiry: <see cref="ExpiryCommands"/>).</summary>
internal static class KeyCommands
{
    private const CommandFlags Write = CommandFlags.Write;
    private const CommandFlags Read = CommandFlags.ReadOnly;

    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("del", -2, Write, 1, -1, 1, "generic", "Deletes one or more keys.") { Kv = Delete });
        commands.Add(new("unlink", -2, Write | CommandFlags.Fast, 1, -1, 1, "generic", "Deletes one or more keys.") { Kv = Delete, Since = "4.0.0" });
        commands.Add(new("exists", -2, Read | CommandFlags.Fast, 1, -1, 1, "generic", "Determines whether one or more keys exist.") { Kv = Exists });
        commands.Add(new("touch", -2, Read | CommandFlags.Fast, 1, -1, 1, "generic", "Returns the number of existing keys out of those specified.") { Kv = Exists, Since = "3.2.1" });
        commands.Add(new("type", 2, Read | CommandFlags.Fast, 1, 1, 1, "generic", "Determines the type of value stored at a key.") { Kv = Type });
        commands.Add(new("keys", 2, Read, 0, 0, 0, "generic", "Returns all key names that match a pattern.") { Kv = Keys });
        commands.Add(new("scan", -2, Read, 0, 0, 0, "generic", "Iterates over the key names in the database.") { Kv = Scan, Since = "2.8.0" });
        commands.Add(new("randomkey", 1, Read, 0, 0, 0, "generic", "Returns a random key name from the database.") { Kv = RandomKey });
        commands.Add(new("rename", 3, Write, 1, 2, 1, "generic", "Renames a key and overwrites the destination.") { Kv = (tx, a, c) => Rename(tx, a, c, onlyIfNew: false) });
        commands.Add(new("renamenx", 3, Write | CommandFlags.Fast, 1, 2, 1, "generic", "Renames a key only when the target key name doesn't exist.") { Kv = (tx, a, c) => Rename(tx, a, c, onlyIfNew: true) });
        commands.Add(new("copy", -3, Write, 1, 2, 1, "generic", "Copies the value of a key to a new key.") { Kv = Copy, Since = "6.2.0" });
        ExpiryCommands.Register(commands);
    }

    private static void Delete(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var deleted = 0;
        for (var i = 1; i < args.Count; i++)
        {
            deleted += tx.Delete(args[i]) ? 1 : 0;
        }

        client.Reply.Integer(deleted);
    }

    private static void Exists(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var found = 0;
        for (var i = 1; i < args.Count; i++)
        {
            found += tx.TypeOf(args[i]) != KvType.None ? 1 : 0;
        }

        client.Reply.Integer(found);
    }

    private static void Type(IKvTransaction tx, RespArgs args, RespConnection client) =>
        client.Reply.SimpleString(tx.TypeOf(args[1]) switch
        {
            KvType.String => "string"u8,
            KvType.Set => "set"u8,
            KvType.Hash => "hash"u8,
            _ => "none"u8,
        });

    private static void Keys(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var keys = new List<byte[]>();
        var pattern = args[1];
        var cursor = 0L;
        do
        {
            cursor = tx.Scan(cursor, 1024, pattern.SequenceEqual("*"u8) ? default : pattern, null, keys);
        }
        while (cursor != 0);

        if (pattern.IsEmpty)
        {
            keys.RemoveAll(k => k.Length != 0); // the engine reads an empty pattern as none; the glob "" matches only ""
        }

        Replies.Array(client.Reply, keys);
    }

    /// <summary>SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].</summary>
    private static void Scan(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!TryParseCursor(args[1], out var cursor))
        {
            client.Reply.Error(RespErrors.InvalidCursor);
            return;
        }

        var options = ScanOptions.Parse(args, 2, allowType: true);
        if (options.Error is { } error)
        {
            client.Reply.Error(error);
            return;
        }

        var keys = new List<byte[]>();
        var next = options.TypeMatchesNothing ? 0 : tx.Scan(cursor, options.Count, options.Pattern(args), options.Type, keys);
        if (options.MatchIndex > 0 && args[options.MatchIndex].IsEmpty)
        {
            keys.RemoveAll(k => k.Length != 0); // as KEYS: MATCH "" matches only the empty key
        }

        client.Reply.Array(2);
        client.Reply.Bulk(((ulong)next).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Replies.Array(client.Reply, keys);
    }

    /// <summary>
    /// A cursor as Redis 7 reads one (C's strtoul, with leading white space refused): an optional sign and decimal digits
    /// of at most 64 bits; a minus wraps around (-1 is 2^64-1, which ends a scan at once), and "" is 0.
    /// </summary>
    internal static bool TryParseCursor(ReadOnlySpan<byte> text, out long cursor)
    {
        cursor = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = text.Length > 0 && text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
        if (digits.IsEmpty)
        {
            return text.IsEmpty; // a lone sign is not a number; nothing at all is 0
        }

        if (digits[0] is < (byte)'0' or > (byte)'9'
            || !System.Buffers.Text.Utf8Parser.TryParse(digits, out ulong value, out var consumed) || consumed != digits.Length)
        {
            return false;
        }

        cursor = unchecked((long)(negative ? 0 - value : value));
        return true;
    }

    private static void RandomKey(IKvTransaction tx, RespArgs args, RespConnection client) => Replies.BulkOrNull(client.Reply, tx.RandomKey());

    /// <summary>RENAME and RENAMENX: a copy (a counter stays a counter, the expiry goes along) and a delete, in one transaction.</summary>
    private static void Rename(IKvTransaction tx, RespArgs args, RespConnection client, bool onlyIfNew)
    {
        if (tx.TypeOf(args[1]) == KvType.None)
        {
            client.Reply.Error(RespErrors.NoSuchKey);
            return;
        }

        var renamed = args[1].SequenceEqual(args[2]) ? !onlyIfNew : tx.Copy(args[1], args[2], replace: !onlyIfNew) && tx.Delete(args[1]);
        if (onlyIfNew)
        {
            client.Reply.Integer(renamed ? 1 : 0);
        }
        else
        {
            client.Reply.Ok();
        }
    }

    /// <summary>COPY source destination [DB destination-db] [REPLACE].</summary>
    private static void Copy(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var replace = false;
        long otherDb = 0;
        for (var i = 3; i < args.Count; i++)
        {
            if (args.Is(i, "REPLACE"u8))
            {
                replace = true;
            }
            else if (args.Is(i, "DB"u8) && i + 1 < args.Count)
            {
                if (!RespText.TryParseInt64(args[++i], out var db))
                {
                    client.Reply.Error(RespErrors.NotInteger);
                    return;
                }

                if (db is < int.MinValue or > int.MaxValue)
                {
                    client.Reply.Error("ERR value is out of range, value must between -2147483648 and 2147483647");
                    return;
                }

                // Redis's 16 databases: past them at once; another of them after every option was read (this store has
                // database 0 only, as SELECT says).
                if (db is < 0 or > 15)
                {
                    client.Reply.Error(RespErrors.DbIndexOutOfRange);
                    return;
                }

                otherDb = db;
            }
            else
            {
                client.Reply.Error(RespErrors.Syntax);
                return;
            }
        }

        if (otherDb != 0)
        {
            client.Reply.Error(RespErrors.DbIndexOutOfRange);
            return;
        }

        if (args[1].SequenceEqual(args[2]))
        {
            client.Reply.Error("ERR source and destination objects are the same");
            return;
        }

        client.Reply.Integer(tx.Copy(args[1], args[2], replace) ? 1 : 0);
    }
}
