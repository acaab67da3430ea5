using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>INCR, INCRBY, DECR, DECRBY, INCRBYFLOAT: PN-counter increments (they merge by summing across sites).</summary>
internal static class CounterCommands
{
    public static void Register(List<RespCommand> commands)
    {
        const CommandFlags Write = CommandFlags.Write | CommandFlags.Fast;
        commands.Add(new("incr", 2, Write, 1, 1, 1, "string", "Increments the integer value of a key by one.") { Kv = (tx, a, c) => c.Reply.Integer(tx.IncrementBy(a[1], 1)) });
        commands.Add(new("decr", 2, Write, 1, 1, 1, "string", "Decrements the integer value of a key by one.") { Kv = (tx, a, c) => c.Reply.Integer(tx.IncrementBy(a[1], -1)) });
        commands.Add(new("incrby", 3, Write, 1, 1, 1, "string", "Increments the integer value of a key by a number.") { Kv = (tx, a, c) => IncrementBy(tx, a, c, negate: false) });
        commands.Add(new("decrby", 3, Write, 1, 1, 1, "string", "Decrements a number from the integer value of a key.") { Kv = (tx, a, c) => IncrementBy(tx, a, c, negate: true) });
        commands.Add(new("incrbyfloat", 3, Write, 1, 1, 1, "string", "Increment the floating point value of a key by a number.") { Kv = IncrementByFloat, Since = "2.6.0" });
    }

    private static void IncrementBy(IKvTransaction tx, RespArgs args, RespConnection client, bool negate)
    {
        if (!RespText.TryParseInt64(args[2], out var delta))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (negate && delta == long.MinValue)
        {
            client.Reply.Error("ERR decrement would overflow");
            return;
        }

        client.Reply.Integer(tx.IncrementBy(args[1], negate ? -delta : delta));
    }

    private static void IncrementByFloat(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        // Redis looks at the key's type before the increment here (INCRBY, HINCRBY and HINCRBYFLOAT read theirs first).
        if (tx.TypeOf(args[1]) is not (KvType.None or KvType.String))
        {
            client.Reply.Error(KvException.WrongType);
            return;
        }

        if (!RespText.TryParseDouble(args[2], out var delta))
        {
            client.Reply.Error(RespErrors.NotFloat);
            return;
        }

        // Redis answers a bulk string here in RESP2 and RESP3 alike.
        client.Reply.Bulk(RespText.FormatDouble(tx.IncrementByFloat(args[1], delta)));
    }
}
