using Fornax.Core.Objects;

namespace Fornax.Cli.Tests;

public sealed class DeleteTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private FakeSiteApi _site = null!;

    public async Task InitializeAsync()
    {
        _site = await FakeSiteApi.StartAsync();
        _site.Seed(new ConfigMap { Metadata = new ObjectMeta { Name = "a" } });
        _site.Seed(new ConfigMap { Metadata = new ObjectMeta { Name = "b" } });
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Delete_ByKindAndNames_DeletesEach()
    {
        var result = await _cli.RunAsync("delete", "cm", "a", "b", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["configmap.fornax.io/a deleted", "configmap.fornax.io/b deleted"], result.StdoutLines);
        Assert.Equal(0, _site.Count);
    }

    [Fact]
    public async Task Delete_NotFound_ExitsOne_AfterDeletingTheOthers()
    {
        var result = await _cli.RunAsync("delete", "configmap", "nope", "a", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["configmap.fornax.io/a deleted"], result.StdoutLines);
        Assert.Equal($"error: configmap \"nope\" not found at site {_site.Url}\n", result.Stderr);
    }

    [Fact]
    public async Task Delete_NotFound_WithIgnoreNotFound_Succeeds()
    {
        var result = await _cli.RunAsync("delete", "mission", "nope", "--ignore-not-found", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout + result.Stderr);
    }

    [Fact]
    public async Task Delete_FromFile_DeletesWhatTheFileDescribes()
    {
        _cli.WriteFile("cms.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: b}\n");

        var result = await _cli.RunAsync("delete", "-f", "cms.yaml", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["configmap.fornax.io/a deleted", "configmap.fornax.io/b deleted"], result.StdoutLines);
    }

    [Fact]
    public async Task Delete_KindWithoutName_IsAnError()
    {
        var result = await _cli.RunAsync("delete", "missions", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: give the name of the mission to delete: fornax delete missions NAME\n", result.Stderr);
    }
}
