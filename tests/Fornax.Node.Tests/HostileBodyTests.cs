using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Tests.Hostile;

namespace Fornax.Node.Tests;

/// <summary>Bodies that took a site down, sent to a real site: each gets a 400 Status naming the limit, and the site serves on.</summary>
public sealed class HostileBodyTests
{
    private const string ConfigMaps = "/apis/fornax.io/v1/namespaces/default/configmaps";

    [Theory]
    [InlineData("application/yaml", "deeper than 64 levels")]
    [InlineData("application/json", "maximum configured depth of 64")]
    public async Task Post_100000OpenBrackets_Answers400NamingTheDepthLimit_AndTheSiteLives(string contentType, string message)
    {
        await using var site = await TestSite.StartAsync();

        var status = await PostAsync(site, HostileBodies.DeepBrackets, contentType);

        Assert.Equal(400, status["code"]!.GetValue<int>());
        Assert.Contains(message, status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await site.Http.GetAsync(ConfigMaps)).StatusCode);
    }

    [Fact]
    public async Task Post_YamlNested10000Deep_Answers400NamingTheDepthLimit()
    {
        await using var site = await TestSite.StartAsync();

        var status = await PostAsync(site, HostileBodies.DeepYamlMapping, "application/yaml");

        Assert.Equal("BadRequest", status["reason"]!.GetValue<string>());
        Assert.Contains("deeper than 64 levels", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_AliasBomb_Answers400NamingTheNodeBudget_AndStoresNothing()
    {
        await using var site = await TestSite.StartAsync();

        var status = await PostAsync(site, HostileBodies.AliasBomb, "application/yaml");

        Assert.Equal(400, status["code"]!.GetValue<int>());
        Assert.Contains("aliases expand to more than 10000 nodes", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "lol"));
    }

    private static async Task<JsonObject> PostAsync(TestSite site, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new(contentType);
        using var response = await site.Http.PostAsync(ConfigMaps, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Status", status!["kind"]!.GetValue<string>());
        return status;
    }
}
