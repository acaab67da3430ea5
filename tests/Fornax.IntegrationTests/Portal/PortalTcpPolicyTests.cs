using Fornax.Portal;
using Fornax.Portal.Tunnels;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// A tunnel is a call of a <c>tcp</c> service like any other: its caller's namespace comes from a user token of the
/// ingress site, travels portal to portal over mutual TLS, and the Service's <c>spec.allowedNamespaces</c> is enforced where
/// the backend is.
/// </summary>
public sealed class PortalTcpPolicyTests
{
    private const string Refused = "service default/echo refuses namespace {0} at site {1}: policy spec.allowedNamespaces of Service default/echo allows shop";

    private static CancellationToken Deadline() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Tunnel_TokenOfAnAllowedNamespacePasses_OthersAre403NamingThePolicy_ForgedHeaderIsDropped_AlsoAtTheServingSite()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var echo = TcpBackend.Echo();
        await TcpForwarding.ServeTcpAtE2Async(tree, "echo", echo.Port, allowedNamespaces: "[shop]");
        var ingress = new Uri(tree["e1"].Node.Endpoints.Ingress);
        var echoService = new ServiceKey("default", "echo");
        var ct = Deadline();

        var shop = await PortalCallerTests.UserTokenAsync(tree["e1"], "shop");
        var (forwarder, routes, failures) = TcpForwarding.Forward(tree["e1"], "echo", o => o with { Token = shop });
        await using (forwarder)
        {
            using var socket = await TcpForwarding.ConnectAsync(forwarder);
            var reading = SocketReads.ReadToEndAsync(socket, ct);
            await TcpForwarding.SendAndShutdownAsync(socket, "let in"u8.ToArray(), ct);
            Assert.Equal("let in"u8.ToArray(), await reading);
            Assert.Equal(["a/r/e1, a/r/e2"], routes);
            Assert.Empty(failures);
        }

        using var plain = new HttpClient();
        var anonymous = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(plain, ingress, echoService, token: null, ct));
        Assert.Equal(403, anonymous.Status);
        Assert.Equal(string.Format(null, Refused, "default", "a/r/e2"), anonymous.Message);

        var ops = await PortalCallerTests.UserTokenAsync(tree["e1"], "ops");
        var wrongNamespace = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(plain, ingress, echoService, ops, ct));
        Assert.Equal(403, wrongNamespace.Status);
        Assert.Equal(string.Format(null, Refused, "ops", "a/r/e2"), wrongNamespace.Message);

        // Claiming the namespace is not having its token: the header is dropped at the ingress, the tunnel is default's.
        using var claiming = new HttpClient();
        claiming.DefaultRequestHeaders.Add("Fornax-Namespace", "shop");
        var forged = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(claiming, ingress, echoService, token: null, ct));
        Assert.Equal(403, forged.Status);
        Assert.Equal(string.Format(null, Refused, "default", "a/r/e2"), forged.Message);

        var unknown = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(plain, ingress, echoService, "nothing.known", ct));
        Assert.Equal(401, unknown.Status);
        Assert.StartsWith("service default/echo: site a/r/e1 refuses the Fornax-Token header: user token is not valid", unknown.Message, StringComparison.Ordinal);

        // At the serving site itself the same policy holds, with no portal hop in between.
        var atE2 = new Uri(tree["e2"].Node.Endpoints.Ingress);
        var opsOfE2 = await PortalCallerTests.UserTokenAsync(tree["e2"], "ops");
        var refusedHere = await Assert.ThrowsAsync<TunnelRefusedException>(() => TunnelClient.OpenAsync(plain, atE2, echoService, opsOfE2, ct));
        Assert.Equal(403, refusedHere.Status);
        Assert.Equal(string.Format(null, Refused, "ops", "a/r/e2"), refusedHere.Message);
        await using var tunnel = await TunnelClient.OpenAsync(plain, atE2, echoService, await PortalCallerTests.UserTokenAsync(tree["e2"], "shop"), ct);
        Assert.Equal("a/r/e2", tunnel.Route);
    }
}
