using System.Net;
using StackExchange.Redis;

namespace Fornax.Node.Tests.State;

/// <summary>The stateful examples (examples/functions/visits, cart) on a real site, their state read back with StackExchange.Redis.</summary>
public sealed class StatefulExampleTests
{
    [Fact]
    public async Task Visits_EachCallIncrements_AndTheCountersAreReadableOverRedis()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");
        await site.DeployStatefulAsync("visits", "visits/visits.wasm", "{keyspaces: [visits], access: readwrite}");
        using var ingress = site.Ingress();

        for (var i = 1; i <= 3; i++)
        {
            var visit = await ingress.GetJsonAsync("/fn/visits");
            Assert.Equal(i, visit["siteVisits"]!.GetValue<long>());
            Assert.Equal(i, visit["totalVisits"]!.GetValue<long>());
        }

        using var redis = await site.RedisAsync();
        var db = redis.GetDatabase();
        Assert.Equal("3", (string?)await db.StringGetAsync("visits:total"));
        Assert.Equal("3", (string?)await db.StringGetAsync("visits:site:solo"));
        Assert.Equal(["solo"], (await db.SetMembersAsync("visits:sites")).Select(m => (string)m!));

        // A write by another client is what the function reads next.
        await db.StringIncrementAsync("visits:total", 10);
        var peek = await ingress.GetJsonAsync("/fn/visits?peek");
        Assert.Equal((3, 13), (peek["siteVisits"]!.GetValue<long>(), peek["totalVisits"]!.GetValue<long>()));
        Assert.Equal("solo", peek["sites"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task VisitsInAssemblyScript_ThroughTheSdkBinding_CountsLikeTheCOne()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");
        await site.DeployStatefulAsync("visits-as", "visits-as/visits-as.wasm", "{keyspaces: [visits]}");
        using var ingress = site.Ingress();

        await ingress.GetJsonAsync("/fn/visits-as");
        var second = await ingress.GetJsonAsync("/fn/visits-as");
        using var redis = await site.RedisAsync();
        await redis.GetDatabase().StringIncrementAsync("visits:total", 5);
        var peek = await ingress.GetJsonAsync("/fn/visits-as?peek");

        Assert.Equal((2, 2), (second["siteVisits"]!.GetValue<long>(), second["totalVisits"]!.GetValue<long>()));
        Assert.Equal((2, 7), (peek["siteVisits"]!.GetValue<long>(), peek["totalVisits"]!.GetValue<long>()));
        Assert.Equal("solo", peek["sites"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Cart_AddSetAndList_IsOneHashPerCart()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("carts", "cart:");
        await site.DeployStatefulAsync("cart", "cart/cart.wasm", "{keyspaces: [carts]}");
        using var ingress = site.Ingress();

        Assert.Equal(3, (await PostAsync(ingress, "/fn/cart/42/add?item=apples&qty=3"))["quantity"]!.GetValue<long>());
        Assert.Equal(5, (await PostAsync(ingress, "/fn/cart/42/add?item=apples&qty=2"))["quantity"]!.GetValue<long>());
        var (status, _) = await ingress.SendAsync(HttpMethod.Put, "/fn/cart/42/set?item=pears&qty=7");
        Assert.Equal(HttpStatusCode.OK, status);
        await PostAsync(ingress, "/fn/cart/other/add?item=plums");

        using var redis = await site.RedisAsync();
        var db = redis.GetDatabase();
        var hash = (await db.HashGetAllAsync("cart:42")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal(new Dictionary<string, string> { ["apples"] = "5", ["pears"] = "7" }, hash);

        await db.HashSetAsync("cart:42", "figs", "1");
        var cart = await ingress.GetJsonAsync("/fn/cart/42");
        Assert.Equal("42", cart["cart"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, long> { ["apples"] = 5, ["pears"] = 7, ["figs"] = 1 },
            cart["items"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>()));
        Assert.Equal(7, (await ingress.GetJsonAsync("/fn/cart/42/item?item=pears"))["quantity"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.NotFound, (await ingress.SendAsync(HttpMethod.Get, "/fn/cart/42/item?item=kiwis")).Item1);
        Assert.Equal("1", (string?)await db.HashGetAsync("cart:other", "plums"));
    }

    [Fact]
    public async Task Cart_BoundToAnotherKeyspace_TrapsNamingTheKeyAndTheBinding_AndWritesNothing()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");
        await site.DeployStatefulAsync("cart", "cart/cart.wasm", "{keyspaces: [visits]}");
        using var ingress = site.Ingress();

        var read = await ingress.SendAsync(HttpMethod.Get, "/fn/cart/42");
        var write = await ingress.SendAsync(HttpMethod.Post, "/fn/cart/42/add?item=apples");

        Assert.Equal(HttpStatusCode.InternalServerError, read.Status);
        Assert.Equal("function trapped: fornax.hgetall: key \"cart:42\" is outside the state binding of function 'cart' (spec.state.keyspaces: visits \"visits:\")\n", read.Body);
        Assert.Equal(HttpStatusCode.InternalServerError, write.Status);
        Assert.Contains("fornax.hincr: key \"cart:42\" is outside the state binding", write.Body, StringComparison.Ordinal);
        using var redis = await site.RedisAsync();
        Assert.False(await redis.GetDatabase().KeyExistsAsync("cart:42"));
    }

    [Fact]
    public async Task Visits_ReadOnlyBinding_RefusesTheWriteAndStillReads()
    {
        await using var site = await TestSite.StartAsync();
        await site.ApplyKeyspaceAsync("visits", "visits:");
        await site.DeployStatefulAsync("visits", "visits/visits.wasm", "{keyspaces: [visits], access: read}");
        using var redis = await site.RedisAsync();
        await redis.GetDatabase().StringSetAsync("visits:total", "41");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/visits");
        var peek = await ingress.GetJsonAsync("/fn/visits?peek");

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("function trapped: fornax.incr: key \"visits:site:solo\" is in keyspace visits, which function 'visits' binds read-only (spec.state.access: read)\n", body);
        Assert.Equal(41, peek["totalVisits"]!.GetValue<long>());
        Assert.False(await redis.GetDatabase().KeyExistsAsync("visits:site:solo"));
    }

    [Fact]
    public async Task Visits_BindingAKeyspaceNotAtTheSite_TrapsSayingSo_AndServesOnceItArrives()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployStatefulAsync("visits", "visits/visits.wasm", "{keyspaces: [visits]}");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/visits");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("(spec.state.keyspaces: visits (no such Keyspace at this site))", body, StringComparison.Ordinal);

        await site.ApplyKeyspaceAsync("visits", "visits:");
        await Fornax.Testing.Poll.UntilAsync(async () => (await ingress.SendAsync(HttpMethod.Get, "/fn/visits")).Status == HttpStatusCode.OK,
            "visits to serve once its Keyspace exists");
    }

    [Fact]
    public async Task Visits_UnderDurabilityAlways_AnswersWithTheCountedVisit()
    {
        // Under `always` each write's commit waits for an fsync: the response waits for it (the async path of InvokeAsync).
        await using var site = await TestSite.StartAsync(o => o with { Durability = "always" });
        await site.ApplyKeyspaceAsync("visits", "visits:");
        await site.DeployStatefulAsync("visits", "visits/visits.wasm", "{keyspaces: [visits]}");
        using var ingress = site.Ingress();

        var visits = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ingress.GetJsonAsync("/fn/visits")));

        Assert.Equal([1L, 2, 3, 4], visits.Select(v => v["totalVisits"]!.GetValue<long>()).Order());
        using var redis = await site.RedisAsync();
        Assert.Equal("4", (string?)await redis.GetDatabase().StringGetAsync("visits:total"));
    }

    [Fact]
    public async Task Apply_ModuleImportingFornaxWithoutSpecState_IsRefusedNamingTheImport()
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.UploadAsync(FunctionSite.Guest("cart/cart.wasm"));

        var response = await site.PutYamlAsync("functions", "cart", FunctionSite.FunctionYaml("cart", digest));
        var body = await response.Content.ReadAsStringAsync();

        Assert.False(response.IsSuccessStatusCode, body);
        Assert.Contains("spec.module", body, StringComparison.Ordinal);
        Assert.Contains("imports fornax::", body, StringComparison.Ordinal);
        Assert.Contains("binds no keyspaces: set spec.state", body, StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("functions", "cart"));
    }

    private static async Task<System.Text.Json.Nodes.JsonObject> PostAsync(HttpClient ingress, string path)
    {
        var (status, body) = await ingress.SendAsync(HttpMethod.Post, path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        return System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
    }
}
