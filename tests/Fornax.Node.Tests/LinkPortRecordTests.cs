using System.Net;
using System.Net.Sockets;

namespace Fornax.Node.Tests;

/// <summary>
/// A site started with <c>--link-port 0</c> listens on the same link port at every later start (its children dial the
/// port they learned when they joined), unless something else holds that port then.
/// </summary>
public sealed class LinkPortRecordTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("fornax-link-port-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static int LinkPort(TestSite site) => new Uri(site.Node.Links.Self.Link!).Port;

    [Fact]
    public async Task ASiteOnAFreeLinkPort_ListensOnTheSamePortWhenStartedAgain()
    {
        int first;
        await using (var site = await TestSite.StartAsync(dataDirectory: _data, keepDataDirectory: true))
        {
            first = LinkPort(site);
        }

        await using var again = await TestSite.StartAsync(dataDirectory: _data, keepDataDirectory: true);

        Assert.Equal(first, LinkPort(again));
        Assert.Equal($"{first}", await File.ReadAllTextAsync(Path.Combine(_data, "link-port")));
    }

    [Fact]
    public async Task TheRecordedLinkPortHeldByAnother_TheSiteStartsOnAFreeOne_AndRecordsIt()
    {
        int first;
        await using (var site = await TestSite.StartAsync(dataDirectory: _data, keepDataDirectory: true))
        {
            first = LinkPort(site);
        }

        using var holder = new Socket(SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, first));
        holder.Listen();
        await using var again = await TestSite.StartAsync(dataDirectory: _data, keepDataDirectory: true);

        Assert.NotEqual(first, LinkPort(again));
        Assert.Equal($"{LinkPort(again)}", await File.ReadAllTextAsync(Path.Combine(_data, "link-port")));
    }

    [Fact]
    public async Task ALinkPortGiven_IsTheOneListenedOn_WhateverWasRecorded()
    {
        await File.WriteAllTextAsync(Path.Combine(_data, "link-port"), "not a port");
        int first;
        await using (var site = await TestSite.StartAsync(dataDirectory: _data, keepDataDirectory: true))
        {
            first = LinkPort(site);
        }

        using var free = new Socket(SocketType.Stream, ProtocolType.Tcp);
        free.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var given = ((IPEndPoint)free.LocalEndPoint!).Port;
        free.Dispose();
        await using var again = await TestSite.StartAsync(o => o with { LinkPort = given }, _data, keepDataDirectory: true);

        Assert.NotEqual(0, first);
        Assert.Equal(given, LinkPort(again));
    }
}
