using System.CommandLine;

namespace Fornax.Cli.Commands.Bench;

/// <summary><c>fornax bench &lt;what&gt;</c>: macro benchmarks that start what they measure in this process.</summary>
internal sealed class BenchCommand : Command
{
    public BenchCommand(CliContext context)
        : base("bench", "Run a benchmark on a tree of sites started in this process")
    {
        Subcommands.Add(new SchedulingBenchCommand(context));
    }
}
