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
        var tree = await TreeHost.StartAsync(topology);
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
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo");
        await using var _ = forwarder;
        var payload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var ct = Deadline();

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        // Sending and reading at once: 8 MiB is far more than every buffer on the way holds, so this passes only if each of
        // the three hops keeps moving bytes both ways while the other direction is blocked.
        var reading = TcpForwarding.ReadToEndAsync(socket, ct);
        await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
        var echoed = await reading;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
        Assert.Equal([ThroughTheRegion], routes);
        Assert.Empty(failures);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_NoDirectPath_ClientEndsFirst_StillReadsTheBackendsAnswer()
    {
        await using var tree = await StartApartAsync();
        await using var digest = TcpBackend.DigestAtEnd();
        await TcpForwarding.ServeTcpAtE2Async(tree, "digest", digest.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "digest");
        await using var _ = forwarder;
        var payload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var ct = Deadline();

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        // The backend answers only once it has seen the end of the client's data: the half-close crosses all three portals.
        await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
        var answer = System.Text.Encoding.ASCII.GetString(await TcpForwarding.ReadToEndAsync(socket, ct));

        Assert.Equal($"{payload.Length} {Convert.ToHexStringLower(SHA256.HashData(payload))}\n", answer);
        Assert.Equal([ThroughTheRegion], routes);
        Assert.Empty(failures);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_NoDirectPath_BackendEndsFirst_ClientStillSendsItsData()
    {
        await using var tree = await StartApartAsync();
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var banner = "220 ready, and that is all from me\r\n"u8.ToArray();
        await using var first = TcpBackend.SpeaksFirst(banner, received);
        await TcpForwarding.ServeTcpAtE2Async(tree, "banner", first.Port);
        var (forwarder, _, failures) = TcpForwarding.Forward(tree["e1"], "banner");
        await using var _ = forwarder;
        var payload = RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5);
        var ct = Deadline();

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        // The backend's end of data reaches the client while the client's side stays open, and the client's data still flows.
        var heard = await TcpForwarding.ReadToEndAsync(socket, ct);
        await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
        var got = await received.Task.WaitAsync(ct);

        Assert.Equal(banner, heard);
        Assert.Equal(payload.Length, got.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(got));
        Assert.Empty(failures);
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
        Assert.Equal(4, await socket.ReceiveAsync(buffer, SocketFlags.None, ct));

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
            return await TcpForwarding.ReadToEndAsync(socket, ct);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return [];
        }
    }
}
