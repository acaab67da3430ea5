using Fornax.IntegrationTests.Portal;
using Fornax.Node.Trees;

namespace Fornax.IntegrationTests.Scheduling;

/// <summary>
/// A function is the service of its own name: a <c>Service</c> of that name with <c>spec.allowedNamespaces</c> holds
/// callers of <c>/fn/</c> to it, at the site they call and at the site a spilled call runs at, which hears the namespace
/// the first site authenticated.
/// </summary>
public sealed class SpillNamespaceTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task SpilledCall_CarriesTheAuthenticatedNamespace_OthersAreRefusedWhereTheyCall()
    {
        await using var tree = await SpillTree.StartAsync(new() { ["e1"] = 1 });
        await SpillTree.DeployBusyAsync(tree, ["a", "e1"], policy: "cloud", "e1");
        foreach (var at in new[] { "a", "e1" })
        {
            await TreeHost.ApplyAsync(tree[at], "services", "busy",
                "apiVersion: fornax.io/v1\nkind: Service\nmetadata: {name: busy}\nspec:\n  backends: [{function: busy}]\n  allowedNamespaces: [shop]\n");
        }

        var shop = await PortalCallerTests.UserTokenAsync(tree["e1"], "shop");
        using (var spilled = await CallAsync(tree["e1"], token: shop, claimed: null))
        {
            Assert.Equal(200, (int)spilled.StatusCode);
            Assert.Equal("a", Header(spilled, "Fornax-Site"));
            Assert.Equal("a/r/e1, a", Header(spilled, "Fornax-Route"));
        }

        // Without the token (claiming the namespace or not) the caller is default's, refused at e1 before anything spills.
        foreach (var claimed in new[] { null, "shop" })
        {
            using var refused = await CallAsync(tree["e1"], token: null, claimed);
            Assert.Equal(403, (int)refused.StatusCode);
            Assert.Equal("service default/busy refuses namespace default at site a/r/e1: policy spec.allowedNamespaces of Service default/busy allows shop\n",
                await refused.Content.ReadAsStringAsync());
            Assert.Null(Header(refused, "Fornax-Site"));
        }

        using var unknown = await CallAsync(tree["e1"], token: "nothing.known", claimed: null);
        Assert.Equal(401, (int)unknown.StatusCode);
        Assert.StartsWith("function 'busy' at site 'e1' refuses the Fornax-Token header: user token is not valid", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> CallAsync(TreeSite site, string? token, string? claimed)
    {
        using var ingress = SpillTree.Ingress(site);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fn/busy") { Content = new StringContent("1000") };
        if (token is not null)
        {
            request.Headers.Add("Fornax-Token", token);
        }

        if (claimed is not null)
        {
            request.Headers.Add("Fornax-Namespace", claimed);
        }

        return await ingress.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
