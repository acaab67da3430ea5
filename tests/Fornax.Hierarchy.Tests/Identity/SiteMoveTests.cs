using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy.Tests.Identity;

public sealed class SiteMoveTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fornax-move-").FullName;

    [Theory]
    [InlineData("east", "cloud/east")]
    [InlineData("east/east-1", "cloud/east/east-1")]
    [InlineData("east/east-1/shop-2", "cloud/east/east-1/shop-2")]
    [InlineData("eastern", null)]
    [InlineData("west/east", null)]
    public void Rebase_MapsPathsAtOrUnderFrom_AndNothingElse(string path, string? expected)
    {
        var move = new SiteMove("east", "cloud/east", []);

        Assert.Equal(expected, move.Rebase(path));
        if (expected is not null)
        {
            Assert.Equal(path, move.Unrebase(expected));
        }
    }

    [Fact]
    public void SaveAndLoad_KeepsPathsAndPendingChildren_MarkMovedRemovesOne()
    {
        var file = Path.Combine(_directory, "move.json");
        var move = new SiteMove("east", "cloud/east", ["east-2", "east-1"]);
        Assert.True(move.MarkMoved("east-1"));
        Assert.False(move.MarkMoved("east-1"));
        move.Save(file);

        var loaded = SiteMove.TryLoad(file)!;

        Assert.Equal(("east", "cloud/east"), (loaded.From, loaded.To));
        Assert.Equal(["east-2"], loaded.PendingChildren);
        Assert.Null(SiteMove.TryLoad(Path.Combine(_directory, "none.json")));
    }

    [Fact]
    public void TryLoad_NotAMoveRecord_SaysWhichFile()
    {
        var file = Path.Combine(_directory, "move.json");
        File.WriteAllText(file, "{\"from\": \"east\"}");

        var error = Assert.Throws<InvalidDataException>(() => SiteMove.TryLoad(file));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NotSitePaths_Throws() =>
        Assert.Throws<ArgumentException>(() => new SiteMove("east", "Cloud//east", []));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
