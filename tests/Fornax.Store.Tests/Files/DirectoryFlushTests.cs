using Fornax.Store.Files;

namespace Fornax.Store.Tests.Files;

/// <summary>
/// The directory flush on this machine's architecture. The same code on arm64 is run by the arm64 smoke test
/// (Fornax.Cli.Tests, Category=Arm64), where a site flushes its pki and blob folders at start-up.
/// </summary>
public sealed class DirectoryFlushTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fornax-flush-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Flush_ExistingDirectory_Succeeds()
    {
        File.WriteAllText(Path.Combine(_dir, "renamed-in"), "x");

        var error = Record.Exception(() => DirectoryFlush.Flush(_dir));

        Assert.Null(error);
    }

    [Fact]
    public void Flush_MissingDirectory_NamesIt()
    {
        if (OperatingSystem.IsWindows()) return;
        var missing = Path.Combine(_dir, "nope");

        var error = Assert.Throws<IOException>(() => DirectoryFlush.Flush(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("No such file", error.Message, StringComparison.Ordinal);
    }
}
