using System.Net.Sockets;
using System.Security.Cryptography;
using Fornax.Core.Objects;
using Fornax.Node.Trees;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// Tunnels between two edge sites the network keeps apart (no direct portal connection): they pass through the portal of
/// their lowest common ancestor, the region, which relays the tunnel's frames down to the serving site.
/// </summary>
public sealed class PortalTcpRelayTests
{
    private const string ThroughTheRegion = "a/r/e1, a/r, a/r/e2";

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    /// <summary>
    /// The portal tree, e2's link with a latency, so direct paths to e2's portal are emulated and cut with that link, and
    /// the direct path between the two edges refused (before any tunnel: a refusal stops new connections only).
    /// </summary>
    private static async Task<TreeHost> StartApartAsync()
    {
        var topology = PortalTree.Topology();
        topology.Spec!.Sites!.Single(s => s.Name == "e2").Link = new LinkProfile { Latency = "1ms" };
        var tree = await TreeHost.StartAsync(topology, PortalTree.Steady);
        try
        {
            await tree.WaitConnectedAsync();
            tree.RefuseDirect("e1", "e2");
            return tree;
        }
        catch
        {
            await tree.DisposeAsync();
            throw;
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_NoDirectPath_LargePayloadBothWaysThroughTheCommonAncestorArrivesWhole()
    {
        await using var tree = await StartApartAsync();
        await TcpScenarios.LargePayloadBothWaysArrivesWholeAsync(tree, ThroughTheRegion);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_NoDirectPath_ClientEndsFirst_StillReadsTheBackendsAnswer()
    {
        await using var tree = await StartApartAsync();
        await TcpScenarios.ClientEndsFirst_StillReadsTheBackendsAnswerAsync(tree, ThroughTheRegion);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_NoDirectPath_BackendEndsFirst_ClientStillSendsItsData()
    {
        await using var tree = await StartApartAsync();
        await TcpScenarios.BackendEndsFirst_ClientStillSendsItsDataAsync(tree, ThroughTheRegion);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task TunnelThroughTheCommonAncestor_LinkBelowItCut_FailsNamingWhereItBroke()
    {
        await using var tree = await StartApartAsync();
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo");
        await using var _ = forwarder;
        var ct = Deadline();
        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None, ct);
        var buffer = new byte[16];
        // Once in a CI run (2026-12-06) this first read was reset: the forwarder's own report says why the tunnel failed.
        int echoed;
        try
        {
            echoed = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
        }
        catch (SocketException e)
        {
            echoed = -1;
            Assert.Fail($"the tunnel broke before the cut ({e.SocketErrorCode}); the forwarder reported: {string.Join(" | ", failures)}; routes: {string.Join(" | ", routes)}");
        }

        Assert.True(echoed == 4, $"{echoed} bytes echoed before the cut; the forwarder reported: {string.Join(" | ", failures)}");

        tree.Cut("r", "e2");
        var rest = await ReadUntilClosedAsync(socket, ct);

        Assert.Empty(rest);
        Assert.Equal([ThroughTheRegion], routes);
        await Poll.UntilAsync(() => !failures.IsEmpty, "the forwarder to report the broken tunnel", TimeSpan.FromSeconds(10));
        var failure = Assert.Single(failures);
        Assert.StartsWith($"service default/echo: the tunnel via {ThroughTheRegion} broke: site a/r lost the tunnel's connection to site a/r/e2: ", failure, StringComparison.Ordinal);
        await Poll.UntilAsync(() => forwarder.Active == 0, "the forwarder to let the connection go", TimeSpan.FromSeconds(10));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task OpenTunnel_NeitherDirectNorThroughTheAncestor_RefusedNamingBothPaths()
    {
        await using var tree = await StartApartAsync();
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        tree.RefuseDirect("r", "e2");
        using var client = new HttpClient();

        var refused = await Assert.ThrowsAsync<TunnelRefusedException>(() =>
            TunnelClient.OpenAsync(client, new Uri(tree["e1"].Node.Endpoints.Ingress), new ServiceKey("default", "echo"), token: null, Deadline()));

        Assert.Equal(502, refused.Status);
        Assert.StartsWith("service default/echo has no working backend from site a/r/e1: a/r/e2: ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("; through a/r: answered 502 (service default/echo: site a/r could not reach site a/r/e2: ", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>What the socket receives until the forwarder closes it, whether it ends the connection or resets it.</summary>
    private static async Task<byte[]> ReadUntilClosedAsync(Socket socket, CancellationToken ct)
    {
        try
        {
            return await SocketReads.ReadToEndAsync(socket, ct);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return [];
        }
    }
}
