using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

public sealed class DirectoryFlushTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fornax-flush-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WriteAtomically_LeavesOnlyTheTargetWithItsContents()
    {
        var path = Path.Combine(_dir, "links", "children.json");

        PkiFiles.WriteAtomically(path, "{\"children\":[]}", secret: false);
        PkiFiles.WriteAtomically(path, "{\"children\":[1]}", secret: false);

        Assert.Equal("{\"children\":[1]}", File.ReadAllText(path));
        Assert.Equal(["children.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Flush_MissingDirectory_NamesIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        var missing = Path.Combine(_dir, "nope");

        var error = Assert.Throws<IOException>(() => DirectoryFlush.Flush(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
