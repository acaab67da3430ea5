using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>DBSIZE, FLUSHDB, FLUSHALL, TIME, CONFIG GET; COMMAND and INFO have their own files.</summary>
internal static class ServerCommands
{
    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("dbsize", 1, CommandFlags.ReadOnly | CommandFlags.Fast, 0, 0, 0, "server", "Returns the number of keys in the database.") { Session = DbSize });
        commands.Add(new("flushdb", -1, CommandFlags.Write, 0, 0, 0, "server", "Removes all keys (replicated as deletes of what this site has seen).") { Kv = Flush });
        commands.Add(new("flushall", -1, CommandFlags.Write, 0, 0, 0, "server", "Removes all keys (the only database is 0).") { Kv = Flush });
        commands.Add(new("time", 1, CommandFlags.ReadOnly | CommandFlags.Fast, 0, 0, 0, "server", "Returns the server time.") { Session = Time, Since = "2.6.0" });
        commands.Add(new("config", -2, CommandFlags.Admin, 0, 0, 0, "server", "Reads the server's configuration (CONFIG GET).") { Session = Config, Since = "2.0.0" });
        commands.Add(new("command", -1, CommandFlags.None, 0, 0, 0, "server", "Returns detailed information about all commands.") { Session = CommandCommand.Run, Since = "2.8.13" });
        commands.Add(new("info", -1, CommandFlags.None, 0, 0, 0, "server", "Returns information and statistics about the server.") { Session = InfoCommand.Run });
    }

    private static ValueTask DbSize(RespConnection client, RespArgs args)
    {
        client.Reply.Integer(client.Store.Count);
        return ValueTask.CompletedTask;
    }

    private static void Flush(Engine.IKvTransaction tx, RespArgs args, RespConnection client)
    {
        if (args.Count > 2 || (args.Count == 2 && !args.Is(1, "ASYNC"u8) && !args.Is(1, "SYNC"u8)))
        {
            client.Reply.Error(RespErrors.Syntax);
            return;
        }

        tx.DeleteAll();
        client.Reply.Ok();
    }

    private static ValueTask Time(RespConnection client, RespArgs args)
    {
        var now = client.Server.Options.TimeProvider.GetUtcNow();
        var micros = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
        client.Reply.Array(2);
        client.Reply.BulkInteger(micros / 1_000_000);
        client.Reply.BulkInteger(micros % 1_000_000);
        return ValueTask.CompletedTask;
    }

    /// <summary>CONFIG GET answers the parameters clients and redis-benchmark ask about; the site is configured by its flags, not CONFIG SET.</summary>
    private static ValueTask Config(RespConnection client, RespArgs args)
    {
        if (args.Is(1, "GET"u8) && args.Count >= 3)
        {
            var options = client.Server.Options;
            var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["appendonly"] = "yes", // every write goes to the write-ahead log at once
                ["appendfsync"] = InfoCommand.DurabilityName(client.Store.Stats.Durability).Replace("none", "no", StringComparison.Ordinal),
                ["databases"] = "1",
                ["maxmemory"] = "0",
                ["proto-max-bulk-len"] = options.MaxBulkBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["replica-read-only"] = "no",
                ["save"] = "",
                ["slave-read-only"] = "no",
                ["timeout"] = "0",
            };
            var matches = parameters.Where(p => Enumerable.Range(2, args.Count - 2).Any(i => Glob.IsMatch(Encoding.ASCII.GetBytes(args.String(i).ToLowerInvariant()), Encoding.ASCII.GetBytes(p.Key)))).ToList();
            client.Reply.Map(matches.Count);
            foreach (var (name, value) in matches)
            {
                client.Reply.Bulk(name);
                client.Reply.Bulk(value);
            }
        }
        else if (args.Is(1, "GET"u8))
        {
            client.Reply.Error(RespErrors.WrongArity("config|get"));
        }
        else if (args.Is(1, "SET"u8) || args.Is(1, "RESETSTAT"u8) || args.Is(1, "REWRITE"u8))
        {
            client.Reply.Error($"ERR CONFIG {args.String(1).ToUpperInvariant()} is not supported: a site is configured by its 'fornax node run' flags and config file");
        }
        else
        {
            client.Reply.Error(RespErrors.UnknownSubcommand(args.String(1), "CONFIG"));
        }

        return ValueTask.CompletedTask;
    }
}
