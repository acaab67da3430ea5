using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Fornax.Cli.Tests;

/// <summary><c>fornax attach</c> against two real root sites.</summary>
public sealed class AttachCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private RealSite _cloud = null!;
    private RealSite _east = null!;

    public async Task InitializeAsync()
    {
        _cloud = await RealSite.StartAsync("cloud");
        _east = await RealSite.StartAsync("east", tier: "region");
    }

    public async Task DisposeAsync()
    {
        await _east.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Attach_WithWait_MovesTheSiteUnderTheParent_AndSaysWhereItIs()
    {
        var token = await JoinTokenAsync();

        var result = await _cli.RunAsync("attach", "--site", _east.Url, "--parent", _cloud.Url, "--token", token, "--wait");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("east attached under " + _cloud.Url + ": it is now cloud/east", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("move complete", result.Stdout, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(_east.Url) };
        var site = await http.GetFromJsonAsync<JsonObject>("/api/site");
        Assert.Equal("cloud/east", site!["path"]!.GetValue<string>());
    }

    [Fact]
    public async Task Attach_WithAWrongToken_FailsWithTheParentsReason_AndTheSiteStaysARoot()
    {
        var result = await _cli.RunAsync("attach", "--site", _east.Url, "--parent", _cloud.Url, "--token", "abcdefgh.wrong-secret");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("join token is not valid", result.Stderr, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(_east.Url) };
        var site = await http.GetFromJsonAsync<JsonObject>("/api/site");
        Assert.Equal("east", site!["path"]!.GetValue<string>());
        Assert.Null(site["move"]);
    }

    [Fact]
    public async Task Attach_WithATokenFile_ReadsTheTokenFromIt_AndKeepsItOffTheCommandLine()
    {
        var file = _cli.WriteFile("join-token", await JoinTokenAsync() + "\n");

        var result = await _cli.RunAsync("attach", "--site", _east.Url, "--parent", _cloud.Url, "--token-file", file, "--wait");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("east attached under " + _cloud.Url + ": it is now cloud/east", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, "give the new parent's join token with --token-file FILE")]
    [InlineData(true, true, "give the new parent's join token with --token-file FILE")]
    [InlineData(false, true, "the file is empty")]
    public async Task Attach_WithoutExactlyOneReadableToken_FailsSayingWhich_AndTheSiteStaysARoot(bool token, bool file, string message)
    {
        var args = new List<string> { "attach", "--site", _east.Url, "--parent", _cloud.Url };
        if (token)
        {
            args.AddRange(["--token", "abcdefgh.secret"]);
        }

        if (file)
        {
            args.AddRange(["--token-file", _cli.WriteFile("empty-token", "")]);
        }

        var result = await _cli.RunAsync([.. args]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(_east.Url) };
        Assert.Equal("east", (await http.GetFromJsonAsync<JsonObject>("/api/site"))!["path"]!.GetValue<string>());
    }

    private async Task<string> JoinTokenAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_cloud.Url) };
        using var response = await http.PostAsJsonAsync("/api/tokens", new JsonObject { ["ttl"] = "10m" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
    }
}
