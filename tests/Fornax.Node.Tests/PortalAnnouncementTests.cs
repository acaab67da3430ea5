using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Portal;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Fornax.Node.Tests;

public sealed class PortalAnnouncementTests
{
    [Fact]
    public async Task Announce_DeployedFunctionAndServiceAtThisSite_AppearInTheServiceMap()
    {
        await using var site = await TestSite.StartAsync();
        var map = site.Node.Services.GetRequiredService<IServiceMap>();
        var self = site.Node.Options.Name;

        await site.DeployAsync("hello", "hello/hello.wasm");
        var applied = await site.PutYamlAsync("services", "cache",
            $"apiVersion: fornax.io/v1\nkind: Service\nmetadata: {{name: cache}}\nspec:\n  protocol: tcp\n  backends:\n    - {{site: {self}, address: \"127.0.0.1:6379\"}}\n");
        Assert.True(applied.IsSuccessStatusCode, await applied.Content.ReadAsStringAsync());
        var elsewhere = await site.PutYamlAsync("services", "remote",
            "apiVersion: fornax.io/v1\nkind: Service\nmetadata: {name: remote}\nspec:\n  backends:\n    - {site: some-other-site, address: \"10.0.0.1:80\"}\n");
        Assert.True(elsewhere.IsSuccessStatusCode, await elsewhere.Content.ReadAsStringAsync());

        await Poll.UntilAsync(() => map.Services.Count == 2, "the function and the cache service in the map");

        Assert.Equal([new ServiceKey("default", "cache"), new ServiceKey("default", "hello")], map.Services);
        Assert.Equal([self], map.SitesServing(new ServiceKey("default", "hello")).Select(s => s.SitePath));
        Assert.Empty(map.SitesServing(new ServiceKey("default", "remote")));
    }

    [Fact]
    public async Task Apply_InvalidService_IsRefusedNamingTheField()
    {
        await using var site = await TestSite.StartAsync();

        var response = await site.PutYamlAsync("services", "bad",
            "apiVersion: fornax.io/v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  protocol: udp\n  backends:\n    - {function: f}\n");

        Assert.Equal(422, (int)response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        var cause = Assert.Single(status!["details"]!["causes"]!.AsArray());
        Assert.Equal("spec.protocol", cause!["field"]!.GetValue<string>());
        Assert.Contains("\"udp\" is not one of http, tcp", cause["message"]!.GetValue<string>());
        Assert.Null(await site.GetAsync("services", "bad"));
    }
}
