using System.Net;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// Connections that break where the HTTP stack does not expect it: the portal answers for them (another path, another
/// site, or a 502 naming what broke), never Kestrel's bare 500 of an exception nobody caught.
/// </summary>
public sealed class PortalBrokenConnectionTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task APeerPortalThatResetsEachConnectionAtOnce_IsUnreachable_TheCommonAncestorPassesTheCallOn()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        // Accepted, then reset before the TLS handshake: the socket's remote address is gone by the time the HTTP stack
        // asks for it, which it reports as a bare SocketException rather than an HttpRequestException.
        tree.ResetDirect("e1", "e2");

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=reset");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hello, reset from e2!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a/r/e1, a/r, a/r/e2", PortalTree.Route(response));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ABackendWhoseAnswerBreaksOffAfterItsHead_Is502NamingTheServiceAndSite()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var backend = TcpBackend.AnswersThenCloses("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n");
        await PortalTree.ServeAddressAtE2Async(tree, "cut", backend.Port);

        using var here = await PortalTree.CallAsync(tree["e2"], "/svc/default/cut/");
        using var across = await PortalTree.CallAsync(tree["e1"], "/svc/default/cut/");

        Assert.Equal(HttpStatusCode.BadGateway, here.StatusCode);
        var text = await here.Content.ReadAsStringAsync();
        Assert.True(text.StartsWith("the answer of service default/cut at site a/r/e2 broke off after its status (200): ", StringComparison.Ordinal), $"the answer: {text}");
        Assert.Equal("a/r/e2", PortalTree.Route(here));
        // Across the tree the serving portal says the same, and the asking one passes it on with the site it came from.
        Assert.Equal(HttpStatusCode.BadGateway, across.StatusCode);
        var passed = await across.Content.ReadAsStringAsync();
        Assert.True(passed.Contains("a/r/e2: answered 502 (the answer of service default/cut at site a/r/e2 broke off after its status (200): ", StringComparison.Ordinal), $"the answer: {passed}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ABackendWhoseAnswerBreaksOffMidBody_ReachesTheCallerCut_NeverAsAWholeAnswer()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var backend = TcpBackend.AnswersThenCloses("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nthe first part");
        await PortalTree.ServeAddressAtE2Async(tree, "cut", backend.Port);

        // The status and the first bytes were on their way before the break: the portal can only end the caller's connection.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => PortalTree.CallAsync(tree["e2"], "/svc/default/cut/"));
        // Across the tree it depends on whether e2's portal had sent its first bytes on when the break reached it: if so,
        // e1's portal ends the caller's connection too; if not, e2 ended the connection before an answer, which e1 reports.
        try
        {
            using var across = await PortalTree.CallAsync(tree["e1"], "/svc/default/cut/");
            Assert.Equal(HttpStatusCode.BadGateway, across.StatusCode);
        }
        catch (HttpRequestException)
        {
        }
    }
}
