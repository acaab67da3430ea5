using BenchmarkDotNet.Running;
using Fornax.Bench.Functions;

// `latency [n]` times n single invocations per function and prints p50/p90/p99 as a Markdown table;
// `allocations [n]` prints managed bytes allocated per invocation and the types that make them up;
// anything else goes to BenchmarkDotNet (e.g. `--job short --inProcess --filter *`).
if (args.Length > 0 && args[0] == "latency")
{
    LatencyProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000);
    return;
}
if (args.Length > 0 && args[0] == "allocations")
{
    AllocationProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(InvokeBenchmarks).Assembly).Run(args);
