using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// <c>fornax portal forward</c>'s tunnels: a local port at one edge site's side reaches a real TCP server at the other
/// edge site, through e1's portal and portal to portal over the link port.
/// </summary>
public sealed class PortalTcpTests
{
    private const int Connections = 64;

    private const string Direct = "a/r/e1, a/r/e2";

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_ToEchoServerAtSibling_LargePayloadBothWaysArrivesWhole()
    {
        await using var tree = await PortalTree.StartAsync();
        await TcpScenarios.LargePayloadBothWaysArrivesWholeAsync(tree, Direct);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_ClientEndsItsSendSide_StillReadsTheBackendsAnswer()
    {
        await using var tree = await PortalTree.StartAsync();
        await TcpScenarios.ClientEndsFirst_StillReadsTheBackendsAnswerAsync(tree, Direct);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_BackendEndsFirst_ClientStillSendsItsData()
    {
        await using var tree = await PortalTree.StartAsync();
        await TcpScenarios.BackendEndsFirst_ClientStillSendsItsDataAsync(tree, Direct);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_ManyConcurrentConnections_EachGetsItsOwnBytesBack()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo");
        await using var _ = forwarder;
        var ct = Deadline();

        var results = await Task.WhenAll(Enumerable.Range(0, Connections).Select(async i =>
        {
            var payload = RandomNumberGenerator.GetBytes(20_000 + i);
            using var socket = await TcpForwarding.ConnectAsync(forwarder);
            var reading = SocketReads.ReadToEndAsync(socket, ct);
            await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
            var echoed = await reading;
            return payload.SequenceEqual(echoed);
        }));

        Assert.All(results, Assert.True);
        Assert.Equal(Connections, routes.Count);
        Assert.Empty(failures);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_TunnelOverAnIdleConnectionToThePeer_Opens()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo");
        await using var _ = forwarder;
        var ct = new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

        // The first tunnel opens e1's HTTP/2 connection to e2's portal; the second rides it once it is quiet. A tunnel's
        // request has a body that starts only when the peer answers, so its headers must be flushed on their own.
        foreach (var payload in new[] { "first"u8.ToArray(), "second"u8.ToArray() })
        {
            using var socket = await TcpForwarding.ConnectAsync(forwarder);
            var reading = SocketReads.ReadToEndAsync(socket, ct);
            await TcpForwarding.SendAndShutdownAsync(socket, payload, ct);
            Assert.Equal(payload, await reading);
            await Poll.UntilAsync(() => forwarder.Active == 0, "the forwarder to let the connection go", TimeSpan.FromSeconds(10));
        }

        Assert.Equal(2, routes.Count);
        Assert.Empty(failures);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_BackendRefusesConnections_ClientIsClosedAndTheErrorNamesServiceSiteAndAddress()
    {
        await using var tree = await PortalTree.StartAsync();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await TcpForwarding.ServeTcpAtE2Async(tree, "refusing", port);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "refusing");
        await using var _ = forwarder;

        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        var received = await SocketReads.ReadToEndAsync(socket, Deadline());

        Assert.Empty(received);
        Assert.Empty(routes);
        var failure = Assert.Single(failures);
        Assert.StartsWith($"service default/refusing has no working backend from site a/r/e1: a/r/e2: answered 502 (service default/refusing at site a/r/e2: backend 127.0.0.1:{port} cannot be reached: ", failure, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task OpenTunnel_UnknownOrHttpService_RefusedNamingServiceAndSite()
    {
        await using var tree = await PortalTree.StartAsync();
        await PortalTree.ServeAddressAtE2Async(tree, "web", 9);
        using var client = new HttpClient();
        var ingress = new Uri(tree["e1"].Node.Endpoints.Ingress);

        var unknown = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(client, ingress, new ServiceKey("default", "nothing"), token: null, Deadline()));
        var http = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(client, ingress, new ServiceKey("default", "web"), token: null, Deadline()));

        Assert.Equal(404, unknown.Status);
        Assert.Equal("service default/nothing is not known at site a/r/e1: no site of the tree announces it", unknown.Message);
        Assert.Equal(502, http.Status);
        Assert.Equal("service default/web has no working backend from site a/r/e1: a/r/e2: answered 404 (service default/web at site a/r/e2 is an http service, not tcp: call it at /svc/default/web/)", http.Message);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Forward_NoByteForTheIdleTimeout_ClosesTheConnection()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo", o => o with { IdleTimeout = TimeSpan.FromMinutes(2), TimeProvider = time });
        await using var _ = forwarder;
        var ct = Deadline();
        using var socket = await TcpForwarding.ConnectAsync(forwarder);
        await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None, ct);
        var buffer = new byte[16];
        Assert.Equal(4, await socket.ReceiveAsync(buffer, SocketFlags.None, ct));

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, forwarder.Active);
        time.Advance(TimeSpan.FromMinutes(1));
        var rest = await SocketReads.ReadToEndAsync(socket, ct);

        Assert.Empty(rest);
        Assert.Equal(["service default/echo: connection from " + socket.LocalEndPoint + " closed after 120 s idle"], failures);
        await Poll.UntilAsync(() => forwarder.Active == 0, "the forwarder to let the connection go", TimeSpan.FromSeconds(10));
    }
}
