using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>Reply shapes several commands share.</summary>
internal static class Replies
{
    public static void BulkOrNull(RespReplyWriter reply, byte[]? value)
    {
        if (value is null)
        {
            reply.Null();
        }
        else
        {
            reply.Bulk(value);
        }
    }

    /// <summary>A HELP subcommand's lines, as simple strings (CLIENT HELP, MEMORY HELP, OBJECT HELP).</summary>
    public static void Help(RespReplyWriter reply, string[] lines)
    {
        reply.Array(lines.Length);
        foreach (var line in lines)
        {
            reply.SimpleString(System.Text.Encoding.UTF8.GetBytes(line));
        }
    }

    public static void Array(RespReplyWriter reply, List<byte[]> items)
    {
        reply.Array(items.Count);
        items.ForEach(i => reply.Bulk(i));
    }

    /// <summary>Set members: RESP3's set type, an array in RESP2 (SMEMBERS, SUNION, SPOP with a count...).</summary>
    public static void Set(RespReplyWriter reply, IReadOnlyCollection<byte[]> members)
    {
        reply.Set(members.Count);
        foreach (var member in members)
        {
            reply.Bulk(member);
        }
    }

    /// <summary>Field-value pairs: RESP3's map, a flat array in RESP2 (HGETALL).</summary>
    public static void Map(RespReplyWriter reply, List<KeyValuePair<byte[], byte[]>> entries)
    {
        reply.Map(entries.Count);
        foreach (var (key, value) in entries)
        {
            reply.Bulk(key);
            reply.Bulk(value);
        }
    }
}

/// <summary>The MATCH, COUNT and TYPE options of SCAN, HSCAN and SSCAN.</summary>
internal readonly record struct ScanOptions(int MatchIndex, int Count, Engine.KvType? Type, bool TypeMatchesNothing, string? Error)
{
    /// <summary>Redis' default COUNT.</summary>
    private const int DefaultCount = 10;

    public ReadOnlySpan<byte> Pattern(RespArgs args) => MatchIndex > 0 && !args[MatchIndex].SequenceEqual("*"u8) ? args[MatchIndex] : default;

    public bool Matches(RespArgs args, ReadOnlySpan<byte> item) => MatchIndex == 0 || Engine.Glob.IsMatch(args[MatchIndex], item);

    /// <summary>
    /// HSCAN's and SSCAN's key, looked at before their options as redis-server does: true when it holds
    /// <paramref name="type"/>; else the reply is written (an empty page for a missing key, WRONGTYPE for another type).
    /// </summary>
    public static bool KeyHolds(Engine.IKvTransaction tx, ReadOnlySpan<byte> key, Engine.KvType type, RespConnection client)
    {
        var held = tx.TypeOf(key);
        if (held == type)
        {
            return true;
        }

        if (held == Engine.KvType.None)
        {
            client.Reply.Array(2);
            client.Reply.Bulk("0"u8);
            client.Reply.Array(0);
        }
        else
        {
            client.Reply.Error(Engine.KvException.WrongType);
        }

        return false;
    }

    public static ScanOptions Parse(RespArgs args, int start, bool allowType)
    {
        var (match, count, type, nothing) = (0, DefaultCount, (Engine.KvType?)null, false);
        for (var i = start; i < args.Count; i++)
        {
            if (i + 1 >= args.Count)
            {
                return Fail(RespErrors.Syntax);
            }

            if (args.Is(i, "MATCH"u8))
            {
                match = ++i;
            }
            else if (args.Is(i, "COUNT"u8))
            {
                if (!RespText.TryParseInt64(args[++i], out var value))
                {
                    return Fail(RespErrors.NotInteger);
                }

                if (value < 1)
                {
                    return Fail(RespErrors.Syntax);
                }

                count = (int)Math.Min(value, int.MaxValue); // Redis takes any positive 64-bit COUNT: a hint, not a size
            }
            else if (allowType && args.Is(i, "TYPE"u8))
            {
                i++;
                type = args.Is(i, "STRING"u8) ? Engine.KvType.String
                    : args.Is(i, "SET"u8) ? Engine.KvType.Set
                    : args.Is(i, "HASH"u8) ? Engine.KvType.Hash
                    : null;
                nothing = type is null; // lists, zsets, streams or an unknown type: no key here has it
            }
            else
            {
                return Fail(RespErrors.Syntax);
            }
        }

        return new ScanOptions(match, count, type, nothing, null);
    }

    private static ScanOptions Fail(string error) => new(0, 0, null, false, error);
}
