using System.Text.Json.Nodes;

namespace Fornax.Cli.Tests;

public sealed class BenchSchedulingTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task BenchScheduling_Json_ThreePoliciesInTheDocumentedShape_SpillRanSomeElsewhere()
    {
        var result = await _cli.RunAsync("bench", "scheduling", "--duration", "2s", "--json");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var policies = JsonNode.Parse(result.Stdout)!.AsObject()["policies"]!.AsObject();
        Assert.Equal(["local", "spill", "cloud"], policies.Select(p => p.Key));
        foreach (var (_, figures) in policies)
        {
            Assert.Equal(["throughput", "p50Ms", "p99Ms", "ranAt"], figures!.AsObject().Select(f => f.Key));
            Assert.True(figures["throughput"]!.GetValue<double>() > 0, figures.ToJsonString());
            Assert.True(figures["p99Ms"]!.GetValue<double>() >= figures["p50Ms"]!.GetValue<double>(), figures.ToJsonString());
        }

        static string[] Sites(JsonNode? figures) => [.. figures!["ranAt"]!.AsObject().Select(s => s.Key)];
        Assert.Equal(["cloud/east/east-1"], Sites(policies["local"]));
        Assert.Contains(Sites(policies["spill"]), s => s != "cloud/east/east-1");
        Assert.Contains("cloud", Sites(policies["cloud"]));
    }

    [Fact]
    public async Task BenchScheduling_BadDuration_FailsNamingIt()
    {
        var result = await _cli.RunAsync("bench", "scheduling", "--duration", "soon");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--duration soon: not a positive duration like 60s", result.Stderr, StringComparison.Ordinal);
    }
}
