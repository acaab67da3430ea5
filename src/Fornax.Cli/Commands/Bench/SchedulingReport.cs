using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Fornax.Cli.Commands.Bench;

/// <summary>The scheduling bench's figures: a table with the targets checked, or the JSON of <c>--json</c>.</summary>
internal static class SchedulingReport
{
    public static string Json(Dictionary<string, PolicyResult> results)
    {
        var policies = new JsonObject();
        foreach (var policy in SchedulingBench.Policies)
        {
            var result = results[policy];
            var ranAt = new JsonObject();
            foreach (var (site, count) in result.RanAt.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                ranAt[site] = count;
            }

            policies[policy] = new JsonObject
            {
                ["throughput"] = Math.Round(result.Throughput, 1),
                ["p50Ms"] = Math.Round(result.P50Ms, 1),
                ["p99Ms"] = Math.Round(result.P99Ms, 1),
                ["ranAt"] = ranAt,
            };
        }

        return new JsonObject { ["policies"] = policies }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public static void Print(IAnsiConsole console, SchedulingBench bench, Dictionary<string, PolicyResult> results)
    {
        console.MarkupLine($"Load at [bold]{SchedulingBench.Edge}[/] ({SchedulingBench.EdgeCapacity} slots): {bench.Rate:0.#} requests/s, {SchedulingBench.Overload:0}× its capacity at a measured mean service time of {bench.MeanService.TotalMilliseconds:0.#} ms (wait {SchedulingBench.WaitMs} ms and visits, evenly mixed).");
        var table = new Table().AddColumns("policy", "throughput /s", "p50 ms", "p99 ms", "failed", "ran at (count, p99 ms)");
        foreach (var policy in SchedulingBench.Policies)
        {
            var r = results[policy];
            var ranAt = string.Join(", ", r.RanAt.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value} (p99 {r.SiteP99Ms(p.Key):0})"));
            table.AddRow(policy, $"{r.Throughput:0.0}", $"{r.P50Ms:0.0}", $"{r.P99Ms:0.0}", Markup.Escape(r.Failed == 0 ? "0" : $"{r.Failed} ({string.Join(", ", r.Failures.Select(f => $"{f.Key}: {f.Value}"))})"), Markup.Escape(ranAt));
        }

        console.Write(table);
        var (local, spill, cloud) = (results["local"], results["spill"], results["cloud"]);
        Target(console, "spill p99 at most half of local p99", spill.P99Ms <= local.P99Ms / 2, $"{spill.P99Ms:0.0} vs {local.P99Ms:0.0} ms");
        Target(console, "spill p99 no worse than cloud p99", spill.P99Ms <= cloud.P99Ms, $"{spill.P99Ms:0.0} vs {cloud.P99Ms:0.0} ms");
        Target(console, "spill throughput at least 2× local", spill.Throughput >= 2 * local.Throughput, $"{spill.Throughput:0.0} vs {local.Throughput:0.0} /s");
    }

    private static void Target(IAnsiConsole console, string what, bool met, string figures) =>
        console.MarkupLine($"  {(met ? "[green]met[/]" : "[red]missed[/]")}  {Markup.Escape(what)}: {Markup.Escape(figures)}");
}
