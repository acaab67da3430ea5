using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>DBSIZE, FLUSHDB, FLUSHALL, TIME, CONFIG; COMMAND, INFO and SLOWLOG have their own files.</summary>
internal static class ServerCommands
{
    public static void Register(List<RespCommand> commands)
    {
        commands.Add(new("dbsize", 1, CommandFlags.ReadOnly | CommandFlags.Fast, 0, 0, 0, "server", "Returns the number of keys in the database.") { Session = DbSize });
        commands.Add(new("flushdb", -1, CommandFlags.Write, 0, 0, 0, "server", "Removes all keys (replicated as deletes of what this site has seen).") { Kv = Flush });
        commands.Add(new("flushall", -1, CommandFlags.Write, 0, 0, 0, "server", "Removes all keys (the only database is 0).") { Kv = Flush });
        commands.Add(new("time", 1, CommandFlags.ReadOnly | CommandFlags.Fast, 0, 0, 0, "server", "Returns the server time.") { Session = Time, Since = "2.6.0" });
        commands.Add(new("config", -2, CommandFlags.Admin, 0, 0, 0, "server", "Reads the server's configuration; sets the slow log's (CONFIG GET, SET, RESETSTAT).") { Session = Config, Since = "2.0.0", Subcommands = ["get", "set", "resetstat", "rewrite"] });
        commands.Add(new("command", -1, CommandFlags.None, 0, 0, 0, "server", "Returns detailed information about all commands.") { Session = CommandCommand.Run, Since = "2.8.13", Subcommands = ["count", "list", "info", "docs"] });
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

    /// <summary>
    /// CONFIG GET answers the parameters clients and redis-benchmark ask about. The site is configured by its flags, not
    /// CONFIG SET, except the slow log's two settings, which only shape what SLOWLOG keeps (until the site restarts).
    /// </summary>
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
                ["latency-monitor-threshold"] = "0", // LATENCY's event monitor is off (LatencyCommand)
                ["latency-tracking"] = "yes",
                ["latency-tracking-info-percentiles"] = "50 99 99.9",
                ["maxmemory"] = "0",
                ["proto-max-bulk-len"] = options.MaxBulkBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["replica-read-only"] = "no",
                ["save"] = "",
                ["slowlog-log-slower-than"] = client.Server.SlowLog.SlowerThanMicros.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["slowlog-max-len"] = client.Server.SlowLog.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
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
        else if (args.Is(1, "SET"u8))
        {
            ConfigSet(client, args);
        }
        else if (args.Is(1, "RESETSTAT"u8) && args.Count == 2)
        {
            client.Server.ResetStats();
            client.Reply.Ok();
        }
        else if (args.Is(1, "RESETSTAT"u8))
        {
            client.Reply.Error(RespErrors.WrongArity("config|resetstat"));
        }
        else if (args.Is(1, "REWRITE"u8))
        {
            client.Reply.Error($"ERR CONFIG {args.String(1).ToUpperInvariant()} is not supported: a site is configured by its 'fornax node run' flags and config file");
        }
        else
        {
            client.Reply.Error(RespErrors.UnknownSubcommand(args.String(1), "CONFIG"));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>CONFIG SET name value [name value ...]: all or nothing, as Redis 7 (one bad pair changes none).</summary>
    private static void ConfigSet(RespConnection client, RespArgs args)
    {
        if (args.Count < 4 || args.Count % 2 != 0)
        {
            client.Reply.Error(RespErrors.WrongArity("config|set"));
            return;
        }

        long? slowerThan = null, maxLength = null;
        for (var i = 2; i < args.Count; i += 2)
        {
            var name = args.String(i).ToLowerInvariant();
            if (name is not ("slowlog-log-slower-than" or "slowlog-max-len"))
            {
                client.Reply.Error($"ERR CONFIG SET '{name}' is not supported: a site is configured by its 'fornax node run' flags and config file; only slowlog-log-slower-than and slowlog-max-len are set at run time");
                return;
            }

            var (min, max) = name == "slowlog-max-len" ? (0L, SlowLog.MaxMaxLength) : (-1L, long.MaxValue);
            string? problem = null;
            if ((name == "slowlog-max-len" ? maxLength : slowerThan) is not null)
            {
                problem = "duplicate parameter";
            }
            else if (!RespText.TryParseInt64(args[i + 1], out var value))
            {
                problem = "argument couldn't be parsed into an integer";
            }
            else if (value < min || value > max)
            {
                problem = $"argument must be between {min} and {max} inclusive";
            }
            else if (name == "slowlog-max-len")
            {
                maxLength = value;
            }
            else
            {
                slowerThan = value;
            }

            if (problem is not null)
            {
                client.Reply.Error($"ERR CONFIG SET failed (possibly related to argument '{name}') - {problem}");
                return;
            }
        }

        client.Server.SlowLog.Configure(slowerThan, maxLength);
        client.Reply.Ok();
    }
}
