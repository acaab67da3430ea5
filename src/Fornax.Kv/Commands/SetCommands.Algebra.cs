using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

internal enum SetAlgebra
{
    Union,
    Intersection,
    Difference,
}

// SUNION, SINTER, SDIFF (and their STORE forms), SINTERCARD, SPOP, SRANDMEMBER, SSCAN.
internal static partial class SetCommands
{
    private static void Combine(IKvTransaction tx, RespArgs args, RespConnection client, SetAlgebra operation, bool store)
    {
        var first = store ? 2 : 1;
        var result = Compute(tx, args, first, args.Count - first, operation);
        if (!store)
        {
            Replies.Set(client.Reply, result);
            return;
        }

        tx.Delete(args[1]);
        foreach (var member in result)
        {
            tx.SetAdd(args[1], member);
        }

        client.Reply.Integer(result.Count);
    }

    /// <summary>Reads every key first, so a key of another type refuses the command before it writes anything.</summary>
    private static HashSet<byte[]> Compute(IKvTransaction tx, RespArgs args, int first, int count, SetAlgebra operation)
    {
        var sets = new List<HashSet<byte[]>>(count);
        var members = new List<byte[]>();
        for (var i = first; i < first + count; i++)
        {
            members.Clear();
            tx.SetMembers(args[i], members);
            sets.Add(new HashSet<byte[]>(members, ByteArrayComparer.Instance));
        }

        var result = new HashSet<byte[]>(sets[0], ByteArrayComparer.Instance);
        foreach (var other in sets.Skip(1))
        {
            switch (operation)
            {
                case SetAlgebra.Union:
                    result.UnionWith(other);
                    break;
                case SetAlgebra.Intersection:
                    result.IntersectWith(other);
                    break;
                default:
                    result.ExceptWith(other);
                    break;
            }
        }

        return result;
    }

    /// <summary>SINTERCARD numkeys key [key ...] [LIMIT limit].</summary>
    private static void SInterCard(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        // As redis-server 7 answers: one message for a count that is not a number and one under 1.
        if (!RespText.TryParseInt64(args[1], out var keys) || keys <= 0)
        {
            client.Reply.Error("ERR numkeys should be greater than 0");
            return;
        }

        if (keys > args.Count - 2)
        {
            client.Reply.Error("ERR Number of keys can't be greater than number of args");
            return;
        }

        // LIMIT may come more than once (the last counts); a limit that is not a number is "negative", as redis-server says.
        long limit = 0;
        for (var i = 2 + (int)keys; i < args.Count; i++)
        {
            if (!args.Is(i, "LIMIT"u8) || i + 1 >= args.Count)
            {
                client.Reply.Error(RespErrors.Syntax);
                return;
            }

            if (!RespText.TryParseInt64(args[++i], out limit) || limit < 0)
            {
                client.Reply.Error("ERR LIMIT can't be negative");
                return;
            }
        }

        var count = Compute(tx, args, 2, (int)keys, SetAlgebra.Intersection).Count;
        client.Reply.Integer(limit > 0 ? Math.Min(count, limit) : count);
    }

    /// <summary>
    /// SPOP key [count] (<paramref name="remove"/>) and SRANDMEMBER key [count]: without a count one member or nil; with
    /// one, distinct members (SRANDMEMBER's negative count may repeat them; SPOP refuses it).
    /// </summary>
    private static void RandomMembers(IKvTransaction tx, RespArgs args, RespConnection client, bool remove)
    {
        if (args.Count > 3)
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        long count = 1;
        if (args.Count == 3 && (!RespText.TryParseInt64(args[2], out count) || (remove && count < 0)))
        {
            client.Reply.Error(remove ? RespErrors.NotPositive : RespErrors.NotInteger);
            return;
        }

        if (count == long.MinValue)
        {
            client.Reply.Error(RespErrors.CountOutOfRange);
            return;
        }

        var members = new List<byte[]>();
        tx.SetMembers(args[1], members);
        var picked = RandomPick.Pick(members, count, client.Random);
        if (remove)
        {
            picked.ForEach(m => tx.SetRemove(args[1], m));
        }

        if (args.Count == 3)
        {
            if (remove)
            {
                Replies.Set(client.Reply, picked);
            }
            else
            {
                Replies.Array(client.Reply, picked); // SRANDMEMBER may repeat members: an array, even in RESP3
            }
        }
        else
        {
            Replies.BulkOrNull(client.Reply, picked.Count == 0 ? null : picked[0]);
        }
    }

    /// <summary>SSCAN key cursor [MATCH pattern] [COUNT count]: the whole set in one step (cursor 0), MATCH applied.</summary>
    private static void SScan(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (!KeyCommands.TryParseCursor(args[2], out _))
        {
            client.Reply.Error(RespErrors.InvalidCursor);
            return;
        }

        // The key before the options, as redis-server reads them: a missing key answers an empty page whatever they say.
        if (!ScanOptions.KeyHolds(tx, args[1], KvType.Set, client))
        {
            return;
        }

        var options = ScanOptions.Parse(args, 3, allowType: false);
        if (options.Error is { } error)
        {
            client.Reply.Error(error);
            return;
        }

        var members = new List<byte[]>();
        tx.SetMembers(args[1], members);
        members.RemoveAll(m => !options.Matches(args, m));
        client.Reply.Array(2);
        client.Reply.Bulk("0"u8);
        Replies.Array(client.Reply, members);
    }
}
