using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

public sealed class PkiFilesTests : IDisposable
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
}
