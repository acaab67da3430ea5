using Fornax.Testing;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Node.Trees;

namespace Fornax.Cli.Tests;

/// <summary><c>fornax site forget</c> at a real parent site with a real child linked to it (the in-process tree harness).</summary>
public sealed class SiteForgetCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private TreeHost _tree = null!;

    private string EastUrl => _tree["east"].Node.Endpoints.Api;

    public async Task InitializeAsync()
    {
        // These tests need east-1 online when they forget it: with the default limit (3 × 200 ms) a busy CI machine
        // (the Native AOT publishes of this project run beside them) once let east mark it offline for a moment.
        _tree = await TreeHost.StartAsync(TreeHost.Chain("east", "east-1"), new TreeHostOptions { MissedHeartbeats = 50 });
        await Poll.UntilAsync(async () => await TreeHost.GetAsync(_tree["east"], "sites", "east-1") is not null, "east's Site object of east-1", TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync() => await _tree.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Forget_OnlineChildWithoutForce_OrUnknownName_FailsWithTheSitesReason_AndTheChildStays()
    {
        var online = await _cli.RunAsync("site", "forget", "east-1", "--site", EastUrl);
        var unknown = await _cli.RunAsync("site", "forget", "nope", "--site", EastUrl);

        Assert.Equal(1, online.ExitCode);
        Assert.Contains("(409 Conflict): forget refused: site \"east-1\" is online (linked to east)", online.Stderr, StringComparison.Ordinal);
        Assert.Contains("--force", online.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("(404 NotFound): forget: site \"nope\" is not a child of east", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal("", online.Stdout + unknown.Stdout);
        Assert.NotNull(await TreeHost.GetAsync(_tree["east"], "sites", "east-1"));
        Assert.True(_tree["east-1"].Node.Links.Uplink!.IsConnected);
    }

    [Fact]
    public async Task Forget_WithForce_ClosesTheLink_SaysWhatWasDropped_AndTheChildIsRefused()
    {
        var result = await _cli.RunAsync("site", "forget", "east-1", "--force", "--site", EastUrl);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("site east-1 forgotten at east (its link was closed)", result.StdoutLines[0]);
        Assert.Contains("dropped the Site objects of east-1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("join it again with a new token", result.Stdout, StringComparison.Ordinal);
        Assert.Null(await TreeHost.GetAsync(_tree["east"], "sites", "east-1"));
        using var child = new HttpClient { BaseAddress = new Uri(_tree["east-1"].Node.Endpoints.Api) };
        await Poll.UntilAsync(
            async () => (await child.GetFromJsonAsync<JsonObject>("/api/site"))?["uplink"]?.GetValue<string>() == "refused",
            "east-1's uplink to be refused", TimeSpan.FromSeconds(20));
    }
}

/// <summary><c>fornax site forget</c> mistakes caught before any site is asked.</summary>
public sealed class SiteForgetUsageTests : IDisposable
{
    private readonly TestCli _cli = new();

    [Fact]
    public async Task Forget_WithoutName_IsAUsageError()
    {
        var result = await _cli.RunAsync("site", "forget", "--site", "http://127.0.0.1:9");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("see 'fornax site forget --help'", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
