using Fornax.Emulation;

namespace Fornax.Emulation.Tests;

#pragma warning disable CA1001 // xUnit disposes them through IAsyncLifetime.DisposeAsync
public sealed class LinkEmulatorHostTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly EchoServer _echo = new();
    private readonly LinkEmulatorHost _host = new(TimeProvider.System);

    public async Task InitializeAsync()
    {
        await _host.StartLinkAsync("east", "cloud", _echo.Endpoint, LinkProfileOptions.Unlimited);
        await _host.StartLinkAsync("west", "cloud", _echo.Endpoint, LinkProfileOptions.Unlimited);
        await _host.StartLinkAsync("shop-1", "east", _echo.Endpoint, LinkProfileOptions.Unlimited);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact]
    public void Links_AreListedByName()
    {
        Assert.Equal(["east->cloud", "shop-1->east", "west->cloud"], _host.Links.Select(l => l.Name));
        Assert.Same(_host.Get("east", "cloud"), _host.Links[0].Emulator);
    }

    [Fact]
    public async Task Cut_EitherOrderOfNames_CutsThatLinkOnly_AndHealRestoresIt()
    {
        Assert.Equal(1, _host.Cut("cloud", "east"));

        Assert.True(_host.Get("east", "cloud").IsCut);
        Assert.False(_host.Get("west", "cloud").IsCut);
        Assert.True(await Sockets.IsRefusedAsync(_host.Get("east", "cloud").Endpoint, TimeSpan.FromSeconds(10)));

        Assert.Equal(1, _host.Heal("east", "cloud"));
        Assert.False(_host.Get("east", "cloud").IsCut);
    }

    [Fact]
    public void CutSite_IsolatesTheSite_HealSiteRestoresIt()
    {
        Assert.Equal(2, _host.CutSite("east", LinkCutMode.Blackhole));

        Assert.Equal(LinkCutMode.Blackhole, _host.Get("east", "cloud").CutMode);
        Assert.Equal(LinkCutMode.Blackhole, _host.Get("shop-1", "east").CutMode);
        Assert.False(_host.Get("west", "cloud").IsCut);

        Assert.Equal(2, _host.HealSite("east"));
        Assert.All(_host.Links, l => Assert.False(l.Emulator.IsCut));
    }

    [Fact]
    public void Cut_UnknownPair_ListsTheLinks()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => _host.Cut("west", "east"));

        Assert.Equal("no link between west and east; links: east->cloud, shop-1->east, west->cloud", error.Message);
    }

    [Fact]
    public async Task StartLink_Twice_Throws_AndStopLinkRemovesIt()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _host.StartLinkAsync("east", "cloud", _echo.Endpoint, LinkProfileOptions.Unlimited));

        Assert.True(await _host.StopLinkAsync("east", "cloud"));
        Assert.False(await _host.StopLinkAsync("east", "cloud"));
        Assert.False(_host.TryGet("east", "cloud", out _));
    }
}
