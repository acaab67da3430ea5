using System.Net;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>A Service's <c>spec.allowedNamespaces</c>: which namespaces may call it, enforced where it is served.</summary>
public sealed class PortalPolicyTests
{
    // Each namespace's user token, issued by the site the test calls: the token is what puts a caller in a namespace.
    private readonly Dictionary<string, string> _tokens = [];

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AllowedNamespacesOfTheService_LetsThoseIn_RefusesOthersWith403NamingPolicyAndService_FollowsAChange()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        await ApplyInventoryAsync(tree, "[shop]");
        await Poll.UntilAsync(() => PortalTree.Map(tree["e1"]).SitesServing(new("default", "inventory")).Count == 1, "e1 to know e2 serves inventory", TimeSpan.FromSeconds(20));
        foreach (var ns in new[] { "shop", "ops", "dev" })
        {
            _tokens[ns] = await PortalCallerTests.UserTokenAsync(tree["e1"], ns);
        }

        using (var allowed = await CallAsync(tree, "shop"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(allowed));
        }

        foreach (var refusedNamespace in new[] { "ops", null })
        {
            using var refused = await CallAsync(tree, refusedNamespace);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal($"service default/inventory refuses namespace {refusedNamespace ?? "default"} at site a/r/e2: policy spec.allowedNamespaces of Service default/inventory allows shop\n",
                await refused.Content.ReadAsStringAsync());
            Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(refused));
        }

        await ApplyInventoryAsync(tree, "[shop, ops]");
        using (var nowAllowed = await CallAsync(tree, "ops"))
        {
            Assert.Equal(HttpStatusCode.OK, nowAllowed.StatusCode);
        }

        using var stillRefused = await CallAsync(tree, "dev");
        Assert.Equal(HttpStatusCode.Forbidden, stillRefused.StatusCode);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task PolicyOfAServiceServedHere_IsEnforcedWithoutAPortalHop()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        await ApplyInventoryAsync(tree, "[shop]");
        await Poll.UntilAsync(() => PortalTree.Map(tree["e2"]).SitesServing(new("default", "inventory")).Count == 1, "e2 to announce inventory", TimeSpan.FromSeconds(20));
        _tokens["ops"] = await PortalCallerTests.UserTokenAsync(tree["e2"], "ops");

        using var refused = await CallAtAsync(tree["e2"], "ops");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.StartsWith("service default/inventory refuses namespace ops at site a/r/e2: policy spec.allowedNamespaces", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a/r/e2", PortalTree.Route(refused));
    }

    private static Task ApplyInventoryAsync(TreeHost tree, string allowed) =>
        TreeHost.ApplyAsync(tree["e2"], "services", "inventory",
            $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: inventory}}\nspec:\n  backends: [{{function: hello}}]\n  allowedNamespaces: {allowed}\n");

    private Task<HttpResponseMessage> CallAsync(TreeHost tree, string? callerNamespace) => CallAtAsync(tree["e1"], callerNamespace);

    private Task<HttpResponseMessage> CallAtAsync(TreeSite site, string? callerNamespace) =>
        PortalCallerTests.CallAsync(site, "/svc/default/inventory/?name=policy", claimed: null, callerNamespace is null ? null : _tokens[callerNamespace]);
}
