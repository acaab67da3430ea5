using Fornax.Cli.Commands.Node;

namespace Fornax.Cli.Tests;

/// <summary>
/// Releasing the Native AOT executable's dehydrated type data after a start finds it only where it is: in a process
/// that is not a Native AOT executable it releases nothing (the release build's own test, X64ReleaseTests, sees it work).
/// </summary>
public sealed class DehydratedDataTests
{
    [Fact]
    public void UnderTheDotnetHost_NothingIsFound_AndNothingReleased()
    {
        // The test host is the dotnet executable: an ELF file with no __modules section.
        Assert.Null(DehydratedData.Locate("/proc/self/exe"));
        Assert.Equal(0, DehydratedData.Release());
    }

    [Fact]
    public void AFileThatIsNotAnExecutable_ReleasesNothing()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not an ELF file");
            Assert.Null(DehydratedData.Locate(file));
            Assert.Equal(0, DehydratedData.Release(file));
            Assert.Equal(0, DehydratedData.Release(file + ".missing"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
