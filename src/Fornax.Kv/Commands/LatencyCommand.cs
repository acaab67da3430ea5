using Fornax.Kv.Resp;

namespace Fornax.Kv.Commands;

/// <summary>
/// LATENCY HISTOGRAM (each command's durations in power-of-two buckets, from <see cref="CommandStats"/>) and HELP, with
/// Redis 7's syntax and replies. Redis' latency monitor (LATEST, HISTORY, RESET, GRAPH, DOCTOR) samples events slower
/// than <c>latency-monitor-threshold</c>, which is 0 (off) by default; a site has no such monitor and answers them as
/// Redis does with it off: no events.
/// </summary>
internal static class LatencyCommand
{
    private static readonly string[] Help =
    [
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    ];

    public static void Register(List<RespCommand> commands) =>
        commands.Add(new("latency", -2, CommandFlags.Admin, 0, 0, 0, "server", "A container for latency diagnostics commands.")
        {
            Session = Run,
            Since = "2.8.13",
            Subcommands = ["histogram", "latest", "history", "reset", "graph", "doctor", "help"],
        });

    private static ValueTask Run(RespConnection client, RespArgs args)
    {
        var reply = client.Reply;
        var sub = args.String(1).ToUpperInvariant();
        switch (sub)
        {
            case "HISTOGRAM":
                Histogram(client, args);
                break;
            case "LATEST" when args.Count == 2:
            case "HISTORY" when args.Count == 3:
                reply.Array(0); // no event was sampled: the monitor is off
                break;
            case "RESET":
                reply.Integer(0); // event classes reset
                break;
            case "GRAPH" when args.Count == 3:
                reply.Error($"ERR No samples available for event '{args.String(2)}'");
                break;
            case "DOCTOR" when args.Count == 2:
                reply.Verbatim("The latency monitor (latency-monitor-threshold) is off at a Fornax site and cannot be turned on. "
                    + "SLOWLOG GET lists the commands slower than slowlog-log-slower-than; INFO latencystats and LATENCY HISTOGRAM give each command's durations.\n");
                break;
            case "HELP" when args.Count == 2:
                Replies.Help(reply, Help);
                break;
            case "LATEST" or "HISTORY" or "GRAPH" or "DOCTOR" or "HELP":
                reply.Error(RespErrors.WrongArity("latency|" + sub.ToLowerInvariant()));
                break;
            default:
                reply.Error(RespErrors.UnknownSubcommand(args.String(1), "LATENCY"));
                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Every command called (or those named: a container's name stands for its subcommands, as <c>config</c> for
    /// <c>config|get</c>…), each as {calls, histogram_usec: {bucket: calls at most that long}}. Names never called, or
    /// unknown, are left out, as in Redis.
    /// </summary>
    private static void Histogram(RespConnection client, RespArgs args)
    {
        var latencies = client.Server.CommandStats.Latencies();
        if (args.Count > 2)
        {
            var wanted = Enumerable.Range(2, args.Count - 2).Select(i => args.String(i).ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            latencies = [.. latencies.Where(l => wanted.Contains(l.Command) || wanted.Contains(l.Command.Split('|')[0]))];
        }

        var reply = client.Reply;
        reply.Map(latencies.Count);
        foreach (var (command, latency) in latencies)
        {
            var buckets = latency.Cumulative();
            reply.Bulk(command);
            reply.Map(2);
            reply.Bulk("calls"u8);
            reply.Integer(latency.Count);
            reply.Bulk("histogram_usec"u8);
            reply.Map(buckets.Count);
            foreach (var (microseconds, calls) in buckets)
            {
                reply.Integer(microseconds);
                reply.Integer(calls);
            }
        }
    }
}
