namespace Fornax.Cli.Tests;

public sealed class DemoTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Demo_AppliesTheExampleMissions_WaitsForTheirStates_AndCleansUp()
    {
        var host = new FakeSiteHost();
        _cli.SiteHost = host;

        var result = await _cli.RunAsync("demo");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("mission.fornax.io/welcome created", result.Stdout);
        Assert.Contains(result.StdoutLines, l => l.Contains("welcome", StringComparison.Ordinal) && l.Contains("Active", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, l => l.Contains("edge-config", StringComparison.Ordinal) && l.Contains("not match", StringComparison.Ordinal));
        Assert.Contains("configmap.fornax.io/welcome (from mission welcome): ", result.Stdout);
        Assert.Contains("message=Hello from Fornax", result.Stdout);
        Assert.True(host.Stopped);
        Assert.False(Directory.Exists(host.Options!.DataDirectory));
    }
}
