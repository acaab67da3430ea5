using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Testing;

namespace Fornax.Node.Tests.Scheduling;

/// <summary>A configured capacity at one site: invocations beyond the slots wait for one; beyond the queue they are refused.</summary>
public sealed class CapacityLimitTests
{
    [Fact]
    [Trait("Category", "Slow")]
    public async Task ConfiguredCapacity_OneSlot_TheOthersWaitAndAllAnswer_ThenAFullQueueRefusesNamingIt()
    {
        await using var site = await TestSite.StartAsync(o => o with { Capacity = 1 });
        await site.DeployAsync("wait", "testing/wait.wasm", "  abi: raw\n  limits: {timeout: 10s}\n");
        using var ingress = site.Ingress();
        ingress.Timeout = TimeSpan.FromSeconds(60);

        // Three calls of 2 s on one slot: the site shows one running and two queued, and all three answer. (With 600 ms
        // calls, a loaded machine could finish the first before the poll saw the third arrive.)
        var three = Enumerable.Range(0, 3).Select(_ => ingress.SendAsync(HttpMethod.Post, "/fn/wait", "2000")).ToList();
        await Poll.UntilAsync(async () =>
        {
            var here = (await site.Http.GetFromJsonAsync<JsonObject>("/api/load"))!["sites"]![0]!;
            return here["inFlight"]!.GetValue<int>() == 3 && here["queued"]!.GetValue<int>() == 2;
        }, "three in flight, two of them queued", TimeSpan.FromSeconds(10));
        Assert.All(await Task.WhenAll(three), r => Assert.Equal((HttpStatusCode.OK, "done\n"), r));

        // One running and ten waiting (ten times the slot) fill it: the twelfth is refused at once with 429.
        var blocker = ingress.SendAsync(HttpMethod.Post, "/fn/wait", "3000");
        await Poll.UntilAsync(async () => (await site.Http.GetFromJsonAsync<JsonObject>("/api/load"))!["sites"]![0]!["inFlight"]!.GetValue<int>() == 1, "the long call to run");
        var queued = Enumerable.Range(0, 10).Select(_ => ingress.SendAsync(HttpMethod.Post, "/fn/wait", "1")).ToList();
        await Poll.UntilAsync(async () => (await site.Http.GetFromJsonAsync<JsonObject>("/api/load"))!["sites"]![0]!["queued"]!.GetValue<int>() == 10, "ten to wait");
        var refused = await ingress.SendAsync(HttpMethod.Post, "/fn/wait", "1");

        Assert.Equal((HttpStatusCode.TooManyRequests, "site 'solo' has 10 invocations waiting for its 1 slots, the most it queues\n"), refused);
        Assert.Equal((HttpStatusCode.OK, "done\n"), await blocker);
        Assert.All(await Task.WhenAll(queued), r => Assert.Equal((HttpStatusCode.OK, "done\n"), r));
    }
}
