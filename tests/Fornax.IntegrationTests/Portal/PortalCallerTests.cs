using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Node.Trees;
using Fornax.Testing;

namespace Fornax.IntegrationTests.Portal;

/// <summary>
/// The caller's namespace comes from a credential the portals checked, never from what the caller says: a user token of
/// the ingress site (<c>Fornax-Token</c>), carried site to site in <c>Fornax-Namespace</c> over mutual TLS.
/// </summary>
public sealed class PortalCallerTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task ForgedNamespaceHeader_IsNotBelieved_403NamingThePolicy_TokenOfTheNamespaceIsLetIn()
    {
        await using var tree = await PortalTree.StartAsync("e2");
        await ApplyShopOnlyAsync(tree, "inventory", "{function: hello}");

        using (var forged = await CallAsync(tree["e1"], "/svc/default/inventory/?name=forged", claimed: "shop", token: null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Equal("service default/inventory refuses namespace default at site a/r/e2: policy spec.allowedNamespaces of Service default/inventory allows shop\n",
                await forged.Content.ReadAsStringAsync());
        }

        var ops = await UserTokenAsync(tree["e1"], "ops");
        using (var forgedWithToken = await CallAsync(tree["e1"], "/svc/default/inventory/?name=forged", claimed: "shop", ops))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forgedWithToken.StatusCode);
            Assert.StartsWith("service default/inventory refuses namespace ops at site a/r/e2: policy spec.allowedNamespaces", await forgedWithToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var allowed = await CallAsync(tree["e1"], "/svc/default/inventory/?name=shop", claimed: null, await UserTokenAsync(tree["e1"], "shop"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("a/r/e1, a/r/e2", PortalTree.Route(allowed));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Backend_SeesTheAuthenticatedNamespace_NeverTheTokenNorAForgedHeader()
    {
        await using var tree = await PortalTree.StartAsync();
        await using var backend = await HttpBackend.StartAsync();
        await ApplyShopOnlyAsync(tree, "whoami", $"{{site: e2, address: \"127.0.0.1:{backend.Port}\"}}");
        var shop = await UserTokenAsync(tree["e1"], "shop");

        using var response = await CallAsync(tree["e1"], "/svc/default/whoami/whoami", claimed: "ops", shop);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("namespace=shop token= cookie=", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task UnknownToken_Is401NamingTheHeader_AndReachesNoSite()
    {
        await using var tree = await PortalTree.StartAsync("e2");

        using var response = await CallAsync(tree["e1"], "/svc/default/hello/", claimed: null, token: "nothing.known");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("service default/hello: site a/r/e1 refuses the Fornax-Token header: user token is not valid", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("a/r/e1", PortalTree.Route(response));
    }

    private static async Task ApplyShopOnlyAsync(TreeHost tree, string name, string backend)
    {
        await TreeHost.ApplyAsync(tree["e2"], "services", name,
            $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  backends: [{backend}]\n  allowedNamespaces: [shop]\n");
        await Poll.UntilAsync(() => PortalTree.Map(tree["e1"]).SitesServing(new("default", name)).Count == 1, $"e1 to know e2 serves {name}", TimeSpan.FromSeconds(20));
    }

    /// <summary>A user token of <paramref name="site"/> for <paramref name="ns"/>, issued through its API as <c>fornax token create --user --namespace</c> does.</summary>
    internal static async Task<string> UserTokenAsync(TreeSite site, string ns)
    {
        using var issued = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true, ["namespace"] = ns });
        issued.EnsureSuccessStatusCode();
        var body = (await issued.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(ns, body["namespace"]!.GetValue<string>());
        return body["token"]!.GetValue<string>();
    }

    internal static async Task<HttpResponseMessage> CallAsync(TreeSite site, string path, string? claimed, string? token)
    {
        using var ingress = new HttpClient { BaseAddress = new Uri(site.Node.Endpoints.Ingress) };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (claimed is not null)
        {
            request.Headers.Add("Fornax-Namespace", claimed);
        }

        if (token is not null)
        {
            request.Headers.Add("Fornax-Token", token);
        }

        return await ingress.SendAsync(request);
    }
}
