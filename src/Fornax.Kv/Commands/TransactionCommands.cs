using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>MULTI, EXEC, DISCARD, WATCH, UNWATCH (the work is in <c>RespConnection.Multi.cs</c>).</summary>
internal static class TransactionCommands
{
    private const CommandFlags Tx = CommandFlags.Fast | CommandFlags.Transaction;

    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("multi", 1, Tx, 0, 0, 0, "transactions", "Starts a transaction.") { Session = Multi });
        commands.Add(new("exec", 1, CommandFlags.Transaction, 0, 0, 0, "transactions", "Executes all commands in a transaction, atomically at the site.") { Session = Exec });
        commands.Add(new("discard", 1, Tx, 0, 0, 0, "transactions", "Discards a transaction.") { Session = Discard });
        commands.Add(new("watch", -2, Tx | CommandFlags.ReadOnly, 1, -1, 1, "transactions", "Monitors changes to keys to determine the execution of a transaction.") { Session = Watch, Since = "2.2.0" });
        commands.Add(new("unwatch", 1, CommandFlags.Fast, 0, 0, 0, "transactions", "Forgets about watched keys of a transaction.") { Session = Unwatch, Since = "2.2.0" });
    }

    private static ValueTask Multi(RespConnection client, RespArgs args)
    {
        if (client.InMulti)
        {
            client.Reply.Error("ERR MULTI calls can not be nested");
        }
        else
        {
            client.BeginMulti();
            client.Reply.Ok();
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask Exec(RespConnection client, RespArgs args)
    {
        if (!client.InMulti)
        {
            client.Reply.Error("ERR EXEC without MULTI");
        }
        else
        {
            client.Exec();
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask Discard(RespConnection client, RespArgs args)
    {
        if (!client.InMulti)
        {
            client.Reply.Error("ERR DISCARD without MULTI");
        }
        else
        {
            client.DiscardMulti();
            client.Reply.Ok();
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask Watch(RespConnection client, RespArgs args)
    {
        if (client.InMulti)
        {
            client.Reply.Error("ERR WATCH inside MULTI is not allowed");
        }
        else
        {
            client.Watch(args.From(1));
            client.Reply.Ok();
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask Unwatch(RespConnection client, RespArgs args)
    {
        client.Unwatch();
        client.Reply.Ok();
        return ValueTask.CompletedTask;
    }
}
