using System.Net;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary><c>/svc/...</c> at one site reaches a backend at another, portal to portal over mutual TLS.</summary>
public sealed class PortalRoutingTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task EdgeToEdge_ServedAtTheSibling_AnswersWithTheRouteBetweenThem()
    {
        await using var tree = await PortalTree.StartAsync("e2");

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=portal");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hello, portal from e2!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(response));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task NoDirectPathBetweenTheEdges_GoesThroughTheirCommonAncestor_DirectAgainOnceAllowed()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        // Before the first request: a refusal stops new connections, not one the portals already pooled.
        tree.RefuseDirect("e1", "e2");
        using (var relayed = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=relayed"))
        {
            Assert.Equal(HttpStatusCode.OK, relayed.StatusCode);
            Assert.Contains("Hello, relayed from e2!", await relayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("a/r/e1, a/r, a/r/e2", PortalTree.Route(relayed));
        }

        tree.AllowDirect("e1", "e2");
        using var again = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=again");
        Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(again));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task NoDirectPathAndTheAncestorCannotReachEither_Is502NamingBothPaths()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        tree.RefuseDirect("e1", "e2");
        tree.RefuseDirect("r", "e2");

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        // Whole in the message (Assert.StartsWith shows 40 characters): it failed once in a full CI run with a text that
        // differed after those, and passes alone. The attempts may be listed in either order; the relay's failure is one.
        Assert.True(text.StartsWith("service default/hello has no working backend from site a/r/e1: ", StringComparison.Ordinal), $"the answer: {text}");
        Assert.True(text.Contains("a/r/e2: answered 502 (service default/hello: site a/r could not reach site a/r/e2: ", StringComparison.Ordinal), $"the answer: {text}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task ServedHereAndElsewhere_ThisSiteAnswers()
    {
        await using var tree = await PortalTree.StartAsync("e1", "e2");

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=near");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hello, near from e1!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a/r/e1", PortalTree.Route(response));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task NearestBackendDown_FailsOverToTheNext()
    {
        await using var tree = await PortalTree.StartAsync("r", "e2");
        using (var near = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=x"))
        {
            Assert.Equal("a/r/e1, a/r", PortalTree.Route(near));
        }

        // The region's machine goes away before anyone declared it offline: e1 still plans r first, finds it dead, and
        // reaches e2 straight, without the region both edges hang under.
        await tree.StopAsync("r");
        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=failover");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Hello, failover from e2!", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(response));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task OnlyBackendCutOff_Is503NamingServiceAndSite_HealedServesAgain()
    {
        await using var tree = await PortalTree.StartAsync(new TreeHostOptions(), "e2");

        tree.Cut("r", "e2");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["e2"], healthy: false), "e1 to see e2 offline", TimeSpan.FromSeconds(20));
        using (var refused = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("service default/hello has no healthy backend from site a/r/e1 (offline: a/r/e2)\n", await refused.Content.ReadAsStringAsync());
        }

        tree.Heal("r", "e2");
        await Poll.UntilAsync(() => PortalTree.Shows(tree["e1"], tree["e2"], healthy: true), "e1 to see e2 back", TimeSpan.FromSeconds(20));
        using var served = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=back");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(served));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task UnknownService_Is404NamingServiceAndSite()
    {
        await using var tree = await PortalTree.StartAsync();

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/nothing/here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("service default/nothing is not known at site a/r/e1: no site of the tree announces it\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("a/r/e1", PortalTree.Route(response));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task BackendAddressRefusesConnections_Is502NamingServiceSiteAndCause()
    {
        await using var tree = await PortalTree.StartAsync();
        // A port that was free a moment ago and has nothing listening now.
        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await PortalTree.ServeAddressAtE2Async(tree, "broken", port);

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/broken/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith($"service default/broken has no working backend from site a/r/e1: a/r/e2: answered 502 (service default/broken at site a/r/e2: backend http://127.0.0.1:{port} failed: ", text, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task BackendThatResetsTheConnection_Is502NamingServiceSiteAndCause_OthersStillServed()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        // Takes each connection, reads the request, and resets it (RST, no answer).
        using var resetting = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        resetting.Start();
        var port = ((IPEndPoint)resetting.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var resets = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var connection = await resetting.AcceptSocketAsync(stop.Token);
                await connection.ReceiveAsync(new byte[4096], stop.Token);
                connection.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                connection.Close();
            }
        });
        await PortalTree.ServeAddressAtE2Async(tree, "resets", port);

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/resets/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.StartsWith($"service default/resets has no working backend from site a/r/e1: a/r/e2: answered 502 (service default/resets at site a/r/e2: backend http://127.0.0.1:{port} failed: ",
            await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var other = await PortalTree.CallAsync(tree["e1"], "/svc/default/hello/?name=still");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => resets);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task BackendThatNeverAnswers_Is504NamingServiceAndSite()
    {
        await using var tree = await PortalTree.StartAsync();
        await tree.RestartAsync("e1", options => options with { PortalRequestTimeout = TimeSpan.FromSeconds(1) });
        // Takes connections and never answers them.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await PortalTree.ServeAddressAtE2Async(tree, "silent", port);

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/silent/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("service default/silent did not answer site a/r/e1 within 1 s (a/r/e2: timed out)\n", await response.Content.ReadAsStringAsync());
    }
}
