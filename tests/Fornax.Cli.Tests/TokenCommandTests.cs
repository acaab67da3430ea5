namespace Fornax.Cli.Tests;

/// <summary><c>fornax token create|list|revoke</c> against a real site.</summary>
public sealed class TokenCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private RealSite _site = null!;

    public async Task InitializeAsync() => _site = await RealSite.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task List_ShowsEveryTokenWithoutItsSecret_AndRevokeEndsOne()
    {
        var join = await _cli.RunAsync("token", "create", "--site", _site.Url);
        var user = await _cli.RunAsync("token", "create", "--user", "--site", _site.Url);
        var userToken = user.Stdout.Trim();
        var userId = userToken.Split('.')[0];

        var listed = await _cli.RunAsync("token", "list", "--site", _site.Url);
        var revoked = await _cli.RunAsync("token", "revoke", userId, "--site", _site.Url);
        var after = await _cli.RunAsync("token", "list", "--site", _site.Url);

        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Equal(["ID", "KIND", "STATE", "EXPIRES", "AGE", "DESCRIPTION"], listed.StdoutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, listed.StdoutLines.Count);
        var userRow = listed.StdoutLines.Single(l => l.StartsWith(userId, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["user", "valid", "in"], userRow[1..4]);
        Assert.StartsWith("29d", userRow[4], StringComparison.Ordinal); // 30 days by default, a moment gone
        foreach (var secret in new[] { join.Stdout, user.Stdout }.Select(t => t.Trim().Split('.')[1]))
        {
            Assert.DoesNotContain(secret, listed.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal($"token {userId} revoked at {_site.Url}", revoked.StdoutLines.Single());
        Assert.Equal(2, after.StdoutLines.Count);
        Assert.DoesNotContain(after.StdoutLines, l => l.StartsWith(userId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Revoke_UnknownId_FailsNamingIt()
    {
        var result = await _cli.RunAsync("token", "revoke", "nosuchid", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(404 NotFound): token nosuchid not found", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUser_SaysWhenItExpires()
    {
        var result = await _cli.RunAsync("token", "create", "--user", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("user token for", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("expires ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("does not expire", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateUser_WithANamespace_SaysWhichNamespaceItCallsServicesIn()
    {
        var result = await _cli.RunAsync("token", "create", "--user", "--namespace", "shop", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("as 'Fornax-Token: TOKEN' to its ingress to call services in namespace shop", result.Stderr.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateJoin_WithANamespace_FailsSayingOnlyUserTokensHaveOne()
    {
        var result = await _cli.RunAsync("token", "create", "--namespace", "shop", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--namespace shop: only a user token has a namespace; add --user", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateJoin_ShowsHowToPassTheTokenInAFile_NeverOnACommandLine()
    {
        var result = await _cli.RunAsync("token", "create", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        var hints = result.Stderr.ReplaceLineEndings(" ");
        Assert.Contains($"fornax node run --data-dir DIR --name NAME --join {_site.Url} --token-file FILE", hints, StringComparison.Ordinal);
        Assert.Contains($"fornax attach --site SITE --parent {_site.Url} --token-file FILE", hints, StringComparison.Ordinal);
        // On a command line every local user reads the token in ps, for the site's whole life.
        Assert.DoesNotContain("--token TOKEN", hints, StringComparison.Ordinal);
    }
}
