using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static Fornax.Node.Tests.ApiRequestGuardTests;

namespace Fornax.Node.Tests;

/// <summary>A user token's namespace (<c>POST /api/tokens {"user": true, "namespace": NS}</c>): what a caller presenting it is at the portals.</summary>
public sealed class TokenNamespaceTests
{
    [Fact]
    public async Task UserTokenWithANamespace_IsListedWithIt_OneWithoutIsDefault()
    {
        await using var site = await TestSite.StartAsync();

        using var shop = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true, ["namespace"] = "shop" });
        using var plain = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = true });

        Assert.Equal("shop", (await shop.Content.ReadFromJsonAsync<JsonObject>())!["namespace"]!.GetValue<string>());
        Assert.Equal("default", (await plain.Content.ReadFromJsonAsync<JsonObject>())!["namespace"]!.GetValue<string>());
        Assert.Equal(["default", "shop"], (await TokensAsync(site)).Select(t => t!["namespace"]!.GetValue<string>()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(true, "Shop_1", "namespace: \"Shop_1\" is not a namespace name")]
    [InlineData(false, "shop", "namespace: \"shop\" is for user tokens")]
    public async Task BadNamespace_Is400NamingIt_AndIssuesNothing(bool user, string ns, string expected)
    {
        await using var site = await TestSite.StartAsync();

        using var response = await site.Http.PostAsJsonAsync("/api/tokens", new JsonObject { ["user"] = user, ["namespace"] = ns });

        Assert.Contains(expected, await AssertStatusAsync(response, 400, "BadRequest"), StringComparison.Ordinal);
        Assert.Empty(await TokensAsync(site));
    }
}
