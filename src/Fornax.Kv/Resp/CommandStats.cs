namespace Fornax.Kv.Resp;

/// <summary>
/// INFO commandstats of one RESP server: per command (and per subcommand of a container such as CONFIG, as Redis 7
/// reports <c>config|get</c>) the calls, the time they ran, and how many were rejected before running (wrong arity,
/// NOAUTH, refused in MULTI) or failed while running (answered an error). Slots are fixed when the command table is
/// built (<see cref="Commands.RespCommand.StatsSlot"/>), so recording is a few interlocked adds and no lookup. Each
/// command's durations also go to a <see cref="LatencyHistogram"/> (INFO latencystats, LATENCY HISTOGRAM), made at its
/// first call.
/// </summary>
internal sealed class CommandStats(TimeProvider time)
{
    private const int Calls = 0, Ticks = 1, RejectedCalls = 2, FailedCalls = 3, Figures = 4;

    private readonly long[] _figures = new long[Commands.CommandTable.StatNames.Length * Figures];
    private readonly double _nanosecondsPerTick = 1e9 / time.TimestampFrequency;
    private LatencyHistogram?[] _latencies = new LatencyHistogram?[Commands.CommandTable.StatNames.Length];

    /// <summary>A call that ran for <paramref name="elapsedTicks"/> (<see cref="TimeProvider.GetTimestamp"/> units), in its
    /// command's or subcommand's slot; an unknown subcommand is not counted (<see cref="Commands.RespCommand.StatsSlotFor"/>).</summary>
    public void Ran(Commands.RespCommand command, RespArgs args, long elapsedTicks, bool failed)
    {
        if (command.StatsSlotFor(args) is var slot and >= 0)
        {
            Ran(slot, elapsedTicks, failed);
        }
    }

    /// <summary>A call refused before it ran.</summary>
    public void Rejected(Commands.RespCommand command, RespArgs args)
    {
        if (command.StatsSlotFor(args) is var slot and >= 0)
        {
            Interlocked.Increment(ref _figures[(slot * Figures) + RejectedCalls]);
        }
    }

    private void Ran(int slot, long elapsedTicks, bool failed)
    {
        var at = slot * Figures;
        Interlocked.Increment(ref _figures[at + Calls]);
        Interlocked.Add(ref _figures[at + Ticks], elapsedTicks);
        if (failed)
        {
            Interlocked.Increment(ref _figures[at + FailedCalls]);
        }

        var latencies = Volatile.Read(ref _latencies);
        var histogram = Volatile.Read(ref latencies[slot]);
        if (histogram is null)
        {
            Interlocked.CompareExchange(ref latencies[slot], new LatencyHistogram(), null);
            histogram = latencies[slot]!;
        }

        histogram.Record((long)(elapsedTicks * _nanosecondsPerTick));
    }

    /// <summary>Each command called since the start (or the last CONFIG RESETSTAT) with its durations, in table order.</summary>
    public List<(string Command, LatencyHistogram Latency)> Latencies()
    {
        var names = Commands.CommandTable.StatNames;
        var latencies = Volatile.Read(ref _latencies);
        var result = new List<(string, LatencyHistogram)>();
        for (var slot = 0; slot < names.Length; slot++)
        {
            if (Volatile.Read(ref latencies[slot]) is { Count: > 0 } histogram)
            {
                result.Add((names[slot], histogram));
            }
        }

        return result;
    }

    /// <summary>Every command called or rejected since the start (or the last CONFIG RESETSTAT), in table order.</summary>
    public List<CommandFigures> Snapshot()
    {
        var names = Commands.CommandTable.StatNames;
        var result = new List<CommandFigures>();
        for (var slot = 0; slot < names.Length; slot++)
        {
            var at = slot * Figures;
            var calls = Interlocked.Read(ref _figures[at + Calls]);
            var rejected = Interlocked.Read(ref _figures[at + RejectedCalls]);
            if (calls == 0 && rejected == 0)
            {
                continue;
            }

            var micros = Interlocked.Read(ref _figures[at + Ticks]) * 1_000_000.0 / time.TimestampFrequency;
            result.Add(new CommandFigures(names[slot], calls, (long)micros, rejected, Interlocked.Read(ref _figures[at + FailedCalls])));
        }

        return result;
    }

    /// <summary>CONFIG RESETSTAT.</summary>
    public void Reset()
    {
        for (var i = 0; i < _figures.Length; i++)
        {
            Interlocked.Exchange(ref _figures[i], 0);
        }

        Volatile.Write(ref _latencies, new LatencyHistogram?[_latencies.Length]);
    }
}

/// <summary>One line of INFO commandstats (and the <c>fornax.kv.command.*</c> metrics).</summary>
public readonly record struct CommandFigures(string Command, long Calls, long Microseconds, long RejectedCalls, long FailedCalls);
