using Fornax.Cli.Api;
using Fornax.Cli.Commands.Demo;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Cli.Tests;

public sealed class MissionStateWaiterTests : IAsyncLifetime
{
    private FakeSiteApi _site = null!;

    public async Task InitializeAsync() => _site = await FakeSiteApi.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    private SiteClient Client() => new(SiteHttpClients.Create(new SiteTarget(_site.Url)), new SiteTarget(_site.Url));

    private static Mission Mission(string name, string? state) => new()
    {
        Metadata = new ObjectMeta { Name = name },
        Spec = new MissionSpec { Content = [new ConfigMap { Metadata = new ObjectMeta { Name = name } }] },
        Status = state is null ? null : new MissionStatus { State = new() { ["cloud"] = state } },
    };

    [Fact]
    public async Task WaitAsync_StateArrivingLater_IsSeenThroughTheWatch()
    {
        _site.Seed(Mission("a", MissionStates.Active));
        _site.Seed(Mission("b", null));
        using var client = Client();

        var waiting = MissionStateWaiter.WaitAsync(client, "default", ["a", "b"], "cloud", TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await _site.WatchStarted.WaitAsync(TimeSpan.FromSeconds(30));
        _site.Seed(Mission("b", MissionStates.NotMatch));
        var states = await waiting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new Dictionary<string, string> { ["a"] = MissionStates.Active, ["b"] = MissionStates.NotMatch }, states);
    }

    [Fact]
    public async Task WaitAsync_NoStateBeforeTheDeadline_NamesTheMissionsStillWaiting()
    {
        _site.Seed(Mission("a", MissionStates.Active));
        _site.Seed(Mission("b", null));
        var time = new FakeTimeProvider();
        using var client = Client();

        var waiting = MissionStateWaiter.WaitAsync(client, "default", ["a", "b"], "cloud", TimeSpan.FromSeconds(30), time, CancellationToken.None);
        await _site.WatchStarted.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<CliException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("no state for site cloud within 30s from mission(s) b", error.Message);
    }
}
