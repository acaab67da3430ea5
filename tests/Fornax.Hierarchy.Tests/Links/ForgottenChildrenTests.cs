using Fornax.Hierarchy.Links;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>The record of forgotten children (<c>DATA/links/forgotten.json</c>) and which certificates it refuses.</summary>
public sealed class ForgottenChildrenTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Old = "sha256:0001";
    private const string New = "sha256:0002";

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fornax-forgotten-");

    [Fact]
    public void Record_OpenedAgain_RefusesEveryCertificateOfThePathWithTheReason()
    {
        ForgottenChildren.Open(_data.FullName).Record("east-1", "cloud/east/east-1", At);

        var reopened = ForgottenChildren.Open(_data.FullName);

        Assert.Equal("site \"east-1\" was forgotten at cloud/east; join again with a new token", reopened.WhyRefused("cloud/east/east-1", Old));
        Assert.NotNull(reopened.WhyRefused("cloud/east/east-1", New));
        Assert.Null(reopened.WhyRefused("cloud/east/east-2", Old));
        Assert.Equal(["cloud/east/east-1"], reopened.Standing.Select(f => f.Path));
    }

    [Fact]
    public void Readmit_AcceptsOnlyTheCertificateOfTheNewJoin_AndSurvivesReopening()
    {
        var forgotten = ForgottenChildren.Open(_data.FullName);
        forgotten.Record("east-1", "cloud/east/east-1", At);

        Assert.True(forgotten.Readmit("cloud/east/east-1", New));
        Assert.False(forgotten.Readmit("cloud/east/east-9", New));

        var reopened = ForgottenChildren.Open(_data.FullName);
        Assert.Null(reopened.WhyRefused("cloud/east/east-1", New));
        Assert.NotNull(reopened.WhyRefused("cloud/east/east-1", Old));
        Assert.Empty(reopened.Standing);
    }

    [Fact]
    public void WhyRefused_SiteBelowTheForgottenChild_RefusedUntilTheChildJoinsAgain()
    {
        var forgotten = ForgottenChildren.Open(_data.FullName);
        forgotten.Record("east-1", "cloud/east/east-1", At);

        var refusal = forgotten.WhyRefused("cloud/east/east-1/shop-1", Old);
        Assert.Equal("site \"cloud/east/east-1/shop-1\" is below east-1, which was forgotten at cloud/east; east-1 must join again with a new token first", refusal);

        forgotten.Readmit("cloud/east/east-1", New);
        Assert.Null(forgotten.WhyRefused("cloud/east/east-1/shop-1", Old));
    }

    [Fact]
    public void Record_SamePathAgain_StartsOverWithoutTheEarlierReadmissions()
    {
        var forgotten = ForgottenChildren.Open(_data.FullName);
        forgotten.Record("east-1", "cloud/east/east-1", At);
        forgotten.Readmit("cloud/east/east-1", New);

        forgotten.Record("east-1", "cloud/east/east-1", At.AddDays(1));

        Assert.NotNull(forgotten.WhyRefused("cloud/east/east-1", New));
        Assert.Equal(At.AddDays(1), forgotten.Find("cloud/east/east-1")!.ForgottenAt);
    }

    [Fact]
    public void Open_UnreadableFile_ThrowsNamingTheFile()
    {
        Directory.CreateDirectory(Path.Combine(_data.FullName, "links"));
        var file = Path.Combine(_data.FullName, "links", ForgottenChildren.FileName);
        File.WriteAllText(file, "{\"forgotten\": [{\"name\": 1}]}");

        var error = Assert.Throws<InvalidDataException>(() => ForgottenChildren.Open(_data.FullName));

        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Delete(recursive: true);
}
