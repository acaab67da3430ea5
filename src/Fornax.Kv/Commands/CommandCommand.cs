using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>COMMAND, COMMAND COUNT, COMMAND INFO, COMMAND DOCS, COMMAND LIST: what clients read to learn the commands.</summary>
internal static class CommandCommand
{
    public static ValueTask Run(RespConnection client, RespArgs args)
    {
        var reply = client.Reply;
        var commands = CommandTable.All.Values.Where(c => !c.IsUnsupported).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (args.Count == 1)
        {
            reply.Array(commands.Count);
            commands.ForEach(c => WriteInfo(reply, c));
        }
        else if (args.Is(1, "COUNT"u8) && args.Count == 2)
        {
            reply.Integer(commands.Count);
        }
        else if (args.Is(1, "LIST"u8) && args.Count == 2)
        {
            reply.Array(commands.Count);
            commands.ForEach(c => reply.Bulk(c.Name));
        }
        else if (args.Is(1, "INFO"u8))
        {
            var wanted = args.Count == 2 ? commands.Cast<RespCommand?>().ToList() : Enumerable.Range(2, args.Count - 2).Select(i => CommandTable.Find(args[i])).ToList();
            reply.Array(wanted.Count);
            foreach (var command in wanted)
            {
                if (command is null || command.IsUnsupported)
                {
                    reply.NullArray();
                }
                else
                {
                    WriteInfo(reply, command);
                }
            }
        }
        else if (args.Is(1, "DOCS"u8))
        {
            var wanted = args.Count == 2 ? commands : Enumerable.Range(2, args.Count - 2).Select(i => CommandTable.Find(args[i])).OfType<RespCommand>().Where(c => !c.IsUnsupported).ToList();
            reply.Map(wanted.Count);
            foreach (var command in wanted)
            {
                reply.Bulk(command.Name);
                reply.Map(3);
                reply.Bulk("summary"u8);
                reply.Bulk(command.Summary);
                reply.Bulk("since"u8);
                reply.Bulk(command.Since);
                reply.Bulk("group"u8);
                reply.Bulk(command.Group);
            }
        }
        else if (args.Is(1, "COUNT"u8) || args.Is(1, "LIST"u8))
        {
            reply.Error(RespErrors.WrongArity("command|" + args.String(1).ToLowerInvariant()));
        }
        else
        {
            reply.Error(RespErrors.UnknownSubcommand(args.String(1), "COMMAND"));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Redis 7's ten-element entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands.</summary>
    private static void WriteInfo(RespReplyWriter reply, RespCommand command)
    {
        reply.Array(10);
        reply.Bulk(command.Name);
        reply.Integer(command.Arity);
        var flags = Flags(command).ToList();
        reply.Set(flags.Count);
        flags.ForEach(f => reply.SimpleString(System.Text.Encoding.ASCII.GetBytes(f)));
        reply.Integer(command.FirstKey);
        reply.Integer(command.LastKey);
        reply.Integer(command.Step);
        reply.Set(1);
        reply.SimpleString(System.Text.Encoding.ASCII.GetBytes("@" + command.Group));
        reply.Array(0);
        reply.Array(0);
        reply.Array(0);
    }

    private static IEnumerable<string> Flags(RespCommand command)
    {
        if ((command.Flags & CommandFlags.Write) != 0)
        {
            yield return "write";
        }

        if ((command.Flags & CommandFlags.ReadOnly) != 0)
        {
            yield return "readonly";
        }

        if ((command.Flags & CommandFlags.Admin) != 0)
        {
            yield return "admin";
        }

        if ((command.Flags & CommandFlags.NoAuth) != 0)
        {
            yield return "no_auth";
        }

        if ((command.Flags & CommandFlags.NoMulti) != 0)
        {
            yield return "no_multi";
        }

        if ((command.Flags & CommandFlags.Fast) != 0)
        {
            yield return "fast";
        }
    }
}
