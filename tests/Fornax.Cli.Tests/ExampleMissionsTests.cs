using Fornax.Core.Objects;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Cli.Tests;

/// <summary>The missions of examples/missions on a real cloud site.</summary>
public sealed class ExampleMissionsTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Created = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestCli _cli = new();
    private RealSite _site = null!;

    public async Task InitializeAsync()
    {
        _site = await RealSite.StartAsync("cloud", time: new FakeTimeProvider(Created));
        _cli.Time = new FakeTimeProvider(Created + TimeSpan.FromMinutes(5));
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task GetMissionsWide_AfterApplyingTheExamples_ShowsTheStateOfThisSite()
    {
        var apply = await _cli.RunAsync("apply", "-f", Path.Combine(AppContext.BaseDirectory, "examples", "missions"), "--site", _site.Url);
        Assert.True(apply.ExitCode == 0, apply.Stderr);
        Assert.Equal(MissionStates.NotMatch, await _site.WaitForMissionStateAsync("edge-config"));
        Assert.Equal(MissionStates.Active, await _site.WaitForMissionStateAsync("welcome"));
        Assert.Equal(MissionStates.Active, await _site.WaitForMissionStateAsync("hello-function"));

        var wide = await _cli.RunAsync("get", "missions", "-o", "wide", "--site", _site.Url);

        Assert.Equal(0, wide.ExitCode);
        Assert.Equal(
            [
                ["NAME", "TARGETS", "ACTIVE", "STATE", "AGE", "CLOUD"],
                ["edge-config", "1", "0", "1 not match", "5m", "not match"],
                ["hello-function", "1", "1", "1 Active", "5m", "Active"],
                ["welcome", "1", "1", "1 Active", "5m", "Active"],
            ],
            wide.StdoutLines.Select(l => l.Split("   ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
    }
}
