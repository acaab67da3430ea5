using System.Net;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>What <c>/svc/</c> passes on and what it refuses to: a portal is a proxy, not a client of the backend.</summary>
public sealed class PortalProxyTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task TcpService_CalledAtSvc_Is400NamingTheTunnel_NothingSentToTheBackend()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var echo = TcpBackend.Echo();
        await TreeHost.ApplyAsync(tree["e2"], "services", "db",
            $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: db}}\nspec:\n  protocol: tcp\n  backends:\n    - {{site: e2, address: \"127.0.0.1:{echo.Port}\"}}\n");
        await Poll.UntilAsync(() => PortalTree.Map(tree["e1"]).SitesServing(new("default", "db")).Count == 1, "e1 to know e2 serves db", TimeSpan.FromSeconds(20));

        using var response = await PortalTree.CallAsync(tree["e1"], "/svc/default/db/");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("service default/db at site a/r/e2 is a tcp service: /svc/ carries HTTP requests; reach it through a tunnel with `fornax portal forward default/db --local-port PORT`\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(response));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task BackendRedirectAndCookie_ReachTheCaller_NeitherFollowedNorKeptByThePortals()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var backend = await HttpBackend.StartAsync();
        await PortalTree.ServeAddressAtE2Async(tree, "web", backend.Port);
        using var caller = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(tree["e1"].Node.Endpoints.Ingress) };

        using var moved = await caller.GetAsync("/svc/default/web/moved");
        using var after = await caller.GetAsync("/svc/default/web/whoami");

        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal("/whoami", moved.Headers.Location?.OriginalString);
        Assert.Equal("session=secret; Path=/", Assert.Single(moved.Headers.GetValues("Set-Cookie")));
        Assert.Equal("namespace=default token= cookie=", await after.Content.ReadAsStringAsync());
    }
}
