using System.Net;
using System.Net.Sockets;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.Node.Tests.Trees;

/// <summary>The test trees' stop and start again: a stopped site keeps its ports, so it comes back where it was.</summary>
public sealed class TreeHostRestartTests
{
    [Fact]
    public async Task AStoppedSite_RefusesDials_AndStartsAgainOnItsPorts()
    {
        await using var tree = await TreeHost.StartAsync(TestTrees.CloudWithTwoEdges());
        await tree.WaitConnectedAsync();
        var api = new Uri(tree["a"].Node.Endpoints.Api);
        var link = new Uri(tree["a"].Node.Links.Self.Link!);

        await tree.StopAsync("a");

        // Off, as a switched-off machine: a dial is refused (its ports are held by sockets that do not listen).
        using (var dial = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var refused = await Assert.ThrowsAsync<SocketException>(async () => await dial.ConnectAsync(IPAddress.Loopback, api.Port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }

        await tree.StartAgainAsync("a");
        Assert.Equal(api, new Uri(tree["a"].Node.Endpoints.Api));
        Assert.Equal(link, new Uri(tree["a"].Node.Links.Self.Link!));
        Assert.True((await tree["a"].Http.GetAsync("/healthz")).IsSuccessStatusCode);
        await tree.WaitConnectedAsync();
    }
}
