using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>The set commands: add-wins observed-remove sets.</summary>
internal static partial class SetCommands
{
    public static void Register(List<RespCommand> commands)
    {
        const CommandFlags Write = CommandFlags.Write | CommandFlags.Fast;
        const CommandFlags Read = CommandFlags.ReadOnly | CommandFlags.Fast;
        commands.Add(new("sadd", -3, Write, 1, 1, 1, "set", "Adds one or more members to a set.") { Kv = SAdd });
        commands.Add(new("srem", -3, Write, 1, 1, 1, "set", "Removes one or more members from a set.") { Kv = SRem });
        commands.Add(new("smembers", 2, CommandFlags.ReadOnly, 1, 1, 1, "set", "Returns all members of a set.") { Kv = SMembers });
        commands.Add(new("sismember", 3, Read, 1, 1, 1, "set", "Determines whether a member belongs to a set.") { Kv = (tx, a, c) => c.Reply.Integer(tx.SetContains(a[1], a[2]) ? 1 : 0) });
        commands.Add(new("smismember", -3, Read, 1, 1, 1, "set", "Determines whether multiple members belong to a set.") { Kv = SMIsMember, Since = "6.2.0" });
        commands.Add(new("scard", 2, Read, 1, 1, 1, "set", "Returns the number of members in a set.") { Kv = (tx, a, c) => c.Reply.Integer(tx.SetCount(a[1])) });
        commands.Add(new("spop", -2, Write, 1, 1, 1, "set", "Returns one or more random members from a set after removing them.") { Kv = (tx, a, c) => RandomMembers(tx, a, c, remove: true) });
        commands.Add(new("srandmember", -2, CommandFlags.ReadOnly, 1, 1, 1, "set", "Get one or multiple random members from a set.") { Kv = (tx, a, c) => RandomMembers(tx, a, c, remove: false) });
        commands.Add(new("sscan", -3, CommandFlags.ReadOnly, 1, 1, 1, "set", "Iterates over members of a set.") { Kv = SScan, Since = "2.8.0" });
        commands.Add(new("smove", 4, Write, 1, 2, 1, "set", "Moves a member from one set to another.") { Kv = SMove });
        commands.Add(new("sunion", -2, CommandFlags.ReadOnly, 1, -1, 1, "set", "Returns the union of multiple sets.") { Kv = (tx, a, c) => Combine(tx, a, c, SetAlgebra.Union, store: false) });
        commands.Add(new("sinter", -2, CommandFlags.ReadOnly, 1, -1, 1, "set", "Returns the intersect of multiple sets.") { Kv = (tx, a, c) => Combine(tx, a, c, SetAlgebra.Intersection, store: false) });
        commands.Add(new("sdiff", -2, CommandFlags.ReadOnly, 1, -1, 1, "set", "Returns the difference of multiple sets.") { Kv = (tx, a, c) => Combine(tx, a, c, SetAlgebra.Difference, store: false) });
        commands.Add(new("sunionstore", -3, CommandFlags.Write, 1, -1, 1, "set", "Stores the union of multiple sets in a key.") { Kv = (tx, a, c) => Combine(tx, a, c, SetAlgebra.Union, store: true) });
        commands.Add(new("sinterstore", -3, CommandFlags.Write, 1, -1, 1, "set", "Stores the intersect of multiple sets in a key.") { Kv = (tx, a, c) => Combine(tx, a, c, SetAlgebra.Intersection, store: true) });
        commands.Add(new("sdiffstore", -3, CommandFlags.Write, 1, -1, 1, "set", "Stores the difference of multiple sets in a key.") { Kv = (tx, a, c) => Combine(tx, a, c, SetAlgebra.Difference, store: true) });
        commands.Add(new("sintercard", -3, CommandFlags.ReadOnly, 2, -1, 1, "set", "Returns the number of members of the intersect of multiple sets.") { Kv = SInterCard, Since = "7.0.0" });
    }

    private static void SAdd(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var added = 0;
        for (var i = 2; i < args.Count; i++)
        {
            added += tx.SetAdd(args[1], args[i]) ? 1 : 0;
        }

        client.Reply.Integer(added);
    }

    private static void SRem(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var removed = 0;
        for (var i = 2; i < args.Count; i++)
        {
            removed += tx.SetRemove(args[1], args[i]) ? 1 : 0;
        }

        client.Reply.Integer(removed);
    }

    private static void SMembers(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        var members = new List<byte[]>();
        tx.SetMembers(args[1], members);
        Replies.Set(client.Reply, members);
    }

    private static void SMIsMember(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        tx.SetCount(args[1]); // WRONGTYPE before the array header is written
        client.Reply.Array(args.Count - 2);
        for (var i = 2; i < args.Count; i++)
        {
            client.Reply.Integer(tx.SetContains(args[1], args[i]) ? 1 : 0);
        }
    }

    private static void SMove(IKvTransaction tx, RespArgs args, RespConnection client)
    {
        // As redis-server: a missing source answers 0 whatever the destination holds; else both keys must be sets (the
        // destination may be absent) before anything moves.
        if (tx.TypeOf(args[1]) == KvType.None)
        {
            client.Reply.Integer(0);
            return;
        }

        tx.SetCount(args[1]);
        tx.SetCount(args[2]);
        if (!tx.SetContains(args[1], args[3]))
        {
            client.Reply.Integer(0);
            return;
        }

        if (!args[1].SequenceEqual(args[2]))
        {
            tx.SetRemove(args[1], args[3]);
            tx.SetAdd(args[2], args[3]);
        }

        client.Reply.Integer(1);
    }
}
