using System.CommandLine;
using Fornax.Core.Validation;
using Spectre.Console;

namespace Fornax.Cli.Commands.Bench;

/// <summary>
/// <c>fornax bench scheduling [--duration 60s] [--json]</c>: one edge site of an in-process three-tier tree driven at
/// three times its capacity with a mix of a stateless and a stateful function, once per policy (local, spill, cloud);
/// throughput, p50, p99 and where the requests ran, side by side. See docs/benchmarks.md, "Spill-out".
/// </summary>
internal sealed class SchedulingBenchCommand : Command
{
    private readonly CliContext _context;
    private readonly Option<string> _duration = new("--duration") { Description = "How long each policy is driven", DefaultValueFactory = _ => "60s" };
    private readonly Option<bool> _json = new("--json") { Description = "Print the figures as JSON only" };

    public SchedulingBenchCommand(CliContext context)
        : base("scheduling", "Drive one edge site at 3x its capacity under the local, spill and cloud policies and compare")
    {
        _context = context;
        Options.Add(_duration);
        Options.Add(_json);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var durationText = parse.GetValue(_duration)!;
        if (!Durations.TryParse(durationText, out var duration) || duration <= TimeSpan.Zero)
        {
            throw new CliException($"--duration {durationText}: not a positive duration like 60s");
        }

        var json = parse.GetValue(_json);
        var bench = new SchedulingBench(_context, duration);
        var results = json
            ? await bench.RunAsync(progress: null, ct)
            : await _context.Out.Progress().AutoClear(false).Columns(
                    new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(progress => bench.RunAsync(progress, ct));
        if (json)
        {
            _context.WriteRaw(SchedulingReport.Json(results));
        }
        else
        {
            SchedulingReport.Print(_context.Out, bench, results);
        }

        return ExitCodes.Success;
    }
}
