namespace Fornax.Kv.Resp;

/// <summary>
/// INFO commandstats of one RESP server: per command (and per subcommand of a container such as CONFIG, as Redis 7
/// reports <c>config|get</c>) the calls, the time they ran, and how many were rejected before running (wrong arity,
/// NOAUTH, refused in MULTI) or failed while running (answered an error). Slots are fixed when the command table is
/// built (<see cref="Commands.RespCommand.StatsSlot"/>), so recording is two interlocked adds and no lookup.
/// </summary>
internal sealed class CommandStats(TimeProvider time)
{
    private const int Calls = 0, Ticks = 1, RejectedCalls = 2, FailedCalls = 3, Figures = 4;

    private readonly long[] _figures = new long[Commands.CommandTable.StatNames.Length * Figures];

    /// <summary>A command that ran for <paramref name="elapsedTicks"/> (<see cref="TimeProvider.GetTimestamp"/> units).</summary>
    public void Ran(int slot, long elapsedTicks, bool failed)
    {
        var at = slot * Figures;
        Interlocked.Increment(ref _figures[at + Calls]);
        Interlocked.Add(ref _figures[at + Ticks], elapsedTicks);
        if (failed)
        {
            Interlocked.Increment(ref _figures[at + FailedCalls]);
        }
    }

    /// <summary>A command refused before it ran.</summary>
    public void Rejected(int slot) => Interlocked.Increment(ref _figures[slot * Figures + RejectedCalls]);

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
    }
}

/// <summary>One line of INFO commandstats (and the <c>fornax.kv.command.*</c> metrics).</summary>
public readonly record struct CommandFigures(string Command, long Calls, long Microseconds, long RejectedCalls, long FailedCalls);
