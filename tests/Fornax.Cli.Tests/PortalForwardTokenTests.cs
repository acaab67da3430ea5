namespace Fornax.Cli.Tests;

/// <summary><c>fornax portal forward --token-file</c>: the user token is read from a file, and a bad file is refused before anything listens.</summary>
public sealed class PortalForwardTokenTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task TokenFile_Missing_FailsNamingTheOption()
    {
        var missing = Path.Combine(_cli.WorkingDirectory, "no-such-token");

        var result = await _cli.RunAsync("portal", "forward", "echo", "--local-port", "0", "--token-file", missing);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: --token-file {missing}: cannot read it: ", result.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task TokenFile_EmptyFirstLine_FailsSayingWhatBelongsThere()
    {
        var empty = _cli.WriteFile("token", "\n");

        var result = await _cli.RunAsync("portal", "forward", "echo", "--local-port", "0", "--token-file", empty);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: --token-file {empty}: the first line is empty; it must hold a user token (fornax token create --user --namespace NS)", result.Stderr.Trim());
    }
}
