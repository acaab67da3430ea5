using Fornax.Hierarchy.Links;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>The record of the children a site has admitted (<c>DATA/links/children.json</c>).</summary>
public sealed class KnownChildrenTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fornax-known-");

    private string FilePath => Path.Combine(_data.FullName, "links", KnownChildren.FileName);

    [Fact]
    public void Record_OpenedAgain_KnowsTheChildWithItsTierAndFirstTime()
    {
        KnownChildren.Open(_data.FullName).Record("east-1", "cloud/east/east-1", "edge", At);

        var reopened = KnownChildren.Open(_data.FullName);

        Assert.Equal([new KnownChild("east-1", "cloud/east/east-1", "edge", At)], reopened.All);
    }

    [Fact]
    public void Record_SameChildAgain_WritesNothing_ANewTierKeepsTheFirstTime()
    {
        var known = KnownChildren.Open(_data.FullName);
        Assert.True(known.Record("east-1", "cloud/east/east-1", "edge", At));
        var written = File.GetLastWriteTimeUtc(FilePath);
        File.SetLastWriteTimeUtc(FilePath, written.AddHours(-1));

        Assert.False(known.Record("east-1", "cloud/east/east-1", "edge", At.AddHours(1)));
        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(FilePath));

        Assert.True(known.Record("east-1", "cloud/east/east-1", "region", At.AddHours(2)));
        Assert.Equal([new KnownChild("east-1", "cloud/east/east-1", "region", At)], KnownChildren.Open(_data.FullName).All);
    }

    [Fact]
    public void Remove_OpenedAgain_OnlyTheOthersLeft()
    {
        var known = KnownChildren.Open(_data.FullName);
        known.Record("east-1", "cloud/east/east-1", "edge", At);
        known.Record("east-2", "cloud/east/east-2", "edge", At);

        Assert.True(known.Remove(["cloud/east/east-1"]));
        Assert.False(known.Remove(["cloud/east/east-1", "cloud/east/nope"]));

        Assert.Equal(["cloud/east/east-2"], KnownChildren.Open(_data.FullName).All.Select(k => k.Path));
    }

    [Fact]
    public void Open_NoFile_Empty_AndWritesNothing()
    {
        Assert.Empty(KnownChildren.Open(_data.FullName).All);
        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public void Open_UnreadableFile_SaysWhichFileAndWhatToDo()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, """{"children": [{"name": "east-1"}]}""");

        var error = Assert.Throws<InvalidDataException>(() => KnownChildren.Open(_data.FullName));

        Assert.StartsWith($"{FilePath}: not a list of child sites", error.Message, StringComparison.Ordinal);
        Assert.Contains("delete it (the children's Site objects are used instead)", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Delete(recursive: true);
}
