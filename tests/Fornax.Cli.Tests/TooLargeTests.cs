namespace Fornax.Cli.Tests;

/// <summary>A body over the site's limit is reported as too large, naming the limit, not as a site that cannot be reached.</summary>
public sealed class TooLargeTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Apply_ObjectOverTheSitesLimit_SaysTooLargeAndNamesTheLimit_AndWritesNothing()
    {
        await using var site = await RealSite.StartAsync(configure: o => o with { MaxRequestBodyBytes = 64 * 1024 });
        var file = _cli.WriteFile("big.yaml", $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{blob: \"{new string('x', 8 * 1024 * 1024)}\"}}\n");

        var result = await _cli.RunAsync("apply", "-f", file, "--site", site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("too large (413 RequestEntityTooLarge)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("the limit here is 65536 bytes (maxRequestBodyBytes)", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", result.Stderr, StringComparison.Ordinal);
        Assert.Null(await site.FindAsync("configmaps", "big"));
    }
}
