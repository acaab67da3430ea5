using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

// SET key value [NX | XX] [GET] [EX s | PX ms | EXAT s | PXAT ms | KEEPTTL] and GETEX's expiry options, as Redis 7
// parses them (t_string.c parseExtendedStringArgumentsOrReply).
internal static partial class StringCommands
{
    private static void Set(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!StringOptions.TryParse(args, 3, forSet: true, out var options))
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        // Every option's syntax first, then the time, as redis-server reads them.
        long? expiry = null;
        if (options.ExpiryIndex != 0 && !TryReadExpiry(tx, args, options.ExpiryIndex, options.UnitMs, options.Relative, "set", client, out expiry))
        {
            return;
        }

        var exists = tx.TypeOf(args[1]) != KvType.None;
        if (options.Get)
        {
            Get(tx, args, client); // answers the old value, or WRONGTYPE before anything changes
        }

        if ((options.Nx && exists) || (options.Xx && !exists))
        {
            if (!options.Get)
            {
                client.Reply.Null();
            }

            return;
        }

        tx.SetString(args[1], args[2], expiry, options.KeepTtl);
        if (!options.Get)
        {
            client.Reply.Ok();
        }
    }

    /// <summary>GETEX key [EX s | PX ms | EXAT s | PXAT ms | PERSIST].</summary>
    private static void GetEx(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!StringOptions.TryParse(args, 2, forSet: false, out var options))
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        // The key before the time, as redis-server reads them: a missing key answers nil whatever the time says.
        if (!tx.TryGetString(args[1], out var value))
        {
            client.Reply.Null();
            return;
        }

        long? expiry = null;
        if (options.ExpiryIndex != 0 && !TryReadExpiry(tx, args, options.ExpiryIndex, options.UnitMs, options.Relative, "getex", client, out expiry))
        {
            return;
        }

        client.Reply.Bulk(value);
        if (options.Persist)
        {
            tx.SetExpiry(args[1], null);
        }
        else if (expiry is { } at)
        {
            tx.SetExpiry(args[1], at);
        }
    }

    /// <summary>
    /// SET's and GETEX's options as redis-server 7 reads them (parseExtendedStringArgumentsOrReply): NX and XX exclude
    /// each other, one expiry form at most (the same one repeated: the last counts), KEEPTTL (SET) and PERSIST (GETEX)
    /// only without one; anything else is a syntax error. The time itself is read afterwards.
    /// </summary>
    private readonly record struct StringOptions(bool Nx, bool Xx, bool Get, bool KeepTtl, bool Persist, int ExpiryIndex, long UnitMs, bool Relative)
    {
        public static bool TryParse(RespArgs args, int start, bool forSet, out StringOptions options)
        {
            options = default;
            for (var i = start; i < args.Count; i++)
            {
                var hasNext = i + 1 < args.Count;
                var timed = options.ExpiryIndex != 0;
                if (forSet && args.Is(i, "NX"u8) && !options.Xx)
                {
                    options = options with { Nx = true };
                }
                else if (forSet && args.Is(i, "XX"u8) && !options.Nx)
                {
                    options = options with { Xx = true };
                }
                else if (forSet && args.Is(i, "GET"u8))
                {
                    options = options with { Get = true };
                }
                else if (forSet && args.Is(i, "KEEPTTL"u8) && !timed)
                {
                    options = options with { KeepTtl = true };
                }
                else if (!forSet && args.Is(i, "PERSIST"u8) && !timed)
                {
                    options = options with { Persist = true };
                }
                else if (hasNext && !options.KeepTtl && !options.Persist && TryExpiryOption(args, i, out var unitMs, out var relative)
                         && (!timed || (unitMs, relative) == (options.UnitMs, options.Relative)))
                {
                    options = options with { ExpiryIndex = ++i, UnitMs = unitMs, Relative = relative };
                }
                else
                {
                    return false;
                }
            }

            return true;
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
