using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL] and GETEX's expiry options, as Redis 7
// parses them (t_string.c parseExtendedStringArgumentsOrReply).
internal static partial class StringCommands
{
    private static void Set(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        bool nx = false, xx = false, get = false, keepTtl = false;
        long? expiry = null;
        var expirySeen = false;
        for (var i = 3; i < args.Count; i++)
        {
            if (args.Is(i, "NX"u8) && !xx)
            {
                nx = true;
            }
            else if (args.Is(i, "XX"u8) && !nx)
            {
                xx = true;
            }
            else if (args.Is(i, "GET"u8))
            {
                get = true;
            }
            else if (args.Is(i, "KEEPTTL"u8) && !expirySeen)
            {
                keepTtl = true;
            }
            else if (!keepTtl && !expirySeen && i + 1 < args.Count && TryExpiryOption(args, i, out var unitMs, out var relative))
            {
                expirySeen = true;
                if (!TryReadExpiry(tx, args, ++i, unitMs, relative, "set", client, out expiry))
                {
                    return;
                }
            }
            else
            {
                client.Reply.Error(RespErrors.Syntax);
                return;
            }
        }

        var exists = tx.TypeOf(args[1]) != KvType.None;
        if (get)
        {
            Get(tx, args, client); // answers the old value, or WRONGTYPE before anything changes
        }

        if ((nx && exists) || (xx && !exists))
        {
            if (!get)
            {
                client.Reply.Null();
            }

            return;
        }

        tx.SetString(args[1], args[2], expiry, keepTtl);
        if (!get)
        {
            client.Reply.Ok();
        }
    }

    /// <summary>GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST].</summary>
    private static void GetEx(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        long? expiry = null;
        var persist = false;
        if (args.Count == 3 && args.Is(2, "PERSIST"u8))
        {
            persist = true;
        }
        else if (args.Count == 4 && TryExpiryOption(args, 2, out var unitMs, out var relative))
        {
            if (!TryReadExpiry(tx, args, 3, unitMs, relative, "getex", client, out expiry))
            {
                return;
            }
        }
        else if (args.Count != 2)
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        if (!tx.TryGetString(args[1], out var value))
        {
            client.Reply.Null();
            return;
        }

        client.Reply.Bulk(value);
        if (persist)
        {
            tx.SetExpiry(args[1], null);
        }
        else if (expiry is { } at)
        {
            tx.SetExpiry(args[1], at);
        }
    }

    private static bool TryExpiryOption(RespArgs args, int index, out long unitMs, out bool relative)
    {
        (unitMs, relative) = args.Is(index, "EX"u8) ? (1000L, true)
            : args.Is(index, "PX"u8) ? (1L, true)
            : args.Is(index, "EXAT"u8) ? (1000L, false)
            : args.Is(index, "PXAT"u8) ? (1L, false)
            : (0L, false);
        return unitMs != 0;
    }

    private static bool TryReadExpiry(IKvTransaction tx, RespArgs args, int index, long unitMs, bool relative, string command, RespConnection client, out long? expiry)
    {
        expiry = null;
        if (!RespText.TryParseInt64(args[index], out var value))
        {
            client.Reply.Error(RespErrors.NotInteger);
            return false;
        }

        if (value <= 0 || ExpiryCommands.ToUnixMs(value, unitMs, relative, tx.NowUnixMs) is not { } at)
        {
            client.Reply.Error(RespErrors.InvalidExpire(command));
            return false;
        }

        expiry = at;
        return true;
    }
}
