using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with Redis 7's NX, XX, GT, LT), EXPIRETIME, PEXPIRETIME, TTL, PTTL, PERSIST.</summary>
internal static class ExpiryCommands
{
    public static void Register(List<RespCommand> commands)
    {
        const CommandFlags Write = CommandFlags.Write | CommandFlags.Fast;
        const CommandFlags Read = CommandFlags.ReadOnly | CommandFlags.Fast;
        commands.Add(new("expire", -3, Write, 1, 1, 1, "generic", "Sets the expiration time of a key in seconds.") { Kv = (tx, a, c) => Expire(tx, a, c, 1000, relative: true) });
        commands.Add(new("pexpire", -3, Write, 1, 1, 1, "generic", "Sets the expiration time of a key in milliseconds.") { Kv = (tx, a, c) => Expire(tx, a, c, 1, relative: true), Since = "2.6.0" });
        commands.Add(new("expireat", -3, Write, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix timestamp.") { Kv = (tx, a, c) => Expire(tx, a, c, 1000, relative: false), Since = "1.2.0" });
        commands.Add(new("pexpireat", -3, Write, 1, 1, 1, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.") { Kv = (tx, a, c) => Expire(tx, a, c, 1, relative: false), Since = "2.6.0" });
        commands.Add(new("expiretime", 2, Read, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix timestamp.") { Kv = (tx, a, c) => ExpireTime(tx, a, c, 1000), Since = "7.0.0" });
        commands.Add(new("pexpiretime", 2, Read, 1, 1, 1, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.") { Kv = (tx, a, c) => ExpireTime(tx, a, c, 1), Since = "7.0.0" });
        commands.Add(new("ttl", 2, Read, 1, 1, 1, "generic", "Returns the expiration time in seconds of a key.") { Kv = (tx, a, c) => Ttl(tx, a, c, 1000) });
        commands.Add(new("pttl", 2, Read, 1, 1, 1, "generic", "Returns the expiration time in milliseconds of a key.") { Kv = (tx, a, c) => Ttl(tx, a, c, 1), Since = "2.6.0" });
        commands.Add(new("persist", 2, Write, 1, 1, 1, "generic", "Removes the expiration time of a key.") { Kv = Persist, Since = "2.2.0" });
    }

    /// <summary>Converts a relative or absolute time in <paramref name="unitMs"/> to Unix ms; null when it overflows (Redis' "invalid expire time").</summary>
    internal static long? ToUnixMs(long value, long unitMs, bool relative, long nowMs)
    {
        try
        {
            var ms = checked(value * unitMs);
            return relative ? checked(ms + nowMs) : ms;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static void Expire(IKvTransaction tx, RespArgs args, RespConnection client, long unitMs, bool relative)
    {
        var name = System.Text.Encoding.ASCII.GetString(args[0]).ToLowerInvariant();
        bool nx = false, xx = false, gt = false, lt = false;
        for (var i = 3; i < args.Count; i++)
        {
            if (args.Is(i, "NX"u8)) nx = true;
            else if (args.Is(i, "XX"u8)) xx = true;
            else if (args.Is(i, "GT"u8)) gt = true;
            else if (args.Is(i, "LT"u8)) lt = true;
            else
            {
                client.Reply.Error($"ERR Unsupported option {args.String(i)}");
                return;
            }
        }

        if (nx && (xx || gt || lt))
        {
            client.Reply.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
            return;
        }

        if (gt && lt)
        {
            client.Reply.Error("ERR GT and LT options at the same time are not compatible");
            return;
        }

        // The time after the options, as redis-server reads them.
        if (!RespText.TryParseInt64(args[2], out var value))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return;
        }

        if (ToUnixMs(value, unitMs, relative, tx.NowUnixMs) is not { } at)
        {
            client.Reply.Error(RespErrors.InvalidExpire(name));
            return;
        }

        if (tx.TypeOf(args[1]) == KvType.None)
        {
            client.Reply.Integer(0);
            return;
        }

        var current = tx.GetExpiry(args[1]);
        // No expiry counts as infinite: GT never beats it, LT always does (Redis 7).
        var refused = (nx && current is not null) || (xx && current is null)
            || (gt && (current is null || at <= current)) || (lt && current is not null && at >= current);
        client.Reply.Integer(!refused && tx.SetExpiry(args[1], at) ? 1 : 0);
    }

    private static void ExpireTime(IKvTransaction tx, RespArgs args, RespConnection client, long unitMs)
    {
        if (tx.TypeOf(args[1]) == KvType.None)
        {
            client.Reply.Integer(-2);
        }
        else
        {
            client.Reply.Integer(tx.GetExpiry(args[1]) is { } at ? at / unitMs : -1);
        }
    }

    private static void Ttl(IKvTransaction tx, RespArgs args, RespConnection client, long unitMs)
    {
        if (tx.TypeOf(args[1]) == KvType.None)
        {
            client.Reply.Integer(-2);
        }
        else if (tx.GetExpiry(args[1]) is { } at)
        {
            var left = Math.Max(0, at - tx.NowUnixMs);
            client.Reply.Integer((left + (unitMs / 2)) / unitMs); // Redis rounds TTL to the nearest second
        }
        else
        {
            client.Reply.Integer(-1);
        }
    }

    private static void Persist(IKvTransaction tx, RespArgs args, RespConnection client) =>
        client.Reply.Integer(tx.TypeOf(args[1]) != KvType.None && tx.GetExpiry(args[1]) is not null && tx.SetExpiry(args[1], null) ? 1 : 0);
}
