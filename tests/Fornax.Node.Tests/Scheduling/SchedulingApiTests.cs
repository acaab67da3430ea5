using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Fornax.Node.Tests.Scheduling;

/// <summary>The scheduler at one site: the policy refused when unknown, responses saying where they ran, <c>/api/load</c>.</summary>
public sealed class SchedulingApiTests
{
    [Theory]
    [InlineData("{policy: nearest}", "spec.scheduling.policy: \"nearest\" is not one of local, spill, cloud")]
    [InlineData("{policy: local, onDemand: true}", "spec.scheduling.onDemand: true needs policy spill or cloud")]
    public async Task Apply_BadScheduling_IsRefusedAsInvalidNamingTheField_AndStoresNothing(string scheduling, string expected)
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.UploadAsync(FunctionSite.Guest("counter/counter.wasm"));

        var response = await site.PutYamlAsync("functions", "counter", FunctionSite.FunctionYaml("counter", digest, $"  scheduling: {scheduling}\n"));

        // 422 Invalid, as every field the API refuses (docs/api.md, Kubernetes' convention).
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var status = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains(expected, status!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("functions", "counter"));
    }

    [Fact]
    public async Task Invoke_AloneAtItsSite_SaysItRanHere_AfterNoHops_WhateverTheClientClaims()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("counter", "counter/counter.wasm", "  scheduling: {policy: spill}\n");
        using var ingress = site.Ingress();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fn/counter");
        request.Headers.Add("Fornax-Hops", "not-a-number");

        using var response = await ingress.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["solo"], response.Headers.GetValues("Fornax-Site"));
        Assert.Equal(["0"], response.Headers.GetValues("Fornax-Hops"));
    }

    [Fact]
    public async Task Load_AfterInvocations_ShowsTheConfiguredCapacityAndTheServiceTime()
    {
        await using var site = await TestSite.StartAsync(o => o with { Capacity = 3 });
        await site.DeployAsync("counter", "counter/counter.wasm");
        using var ingress = site.Ingress();
        Assert.Equal("1\n", await ingress.GetStringAsync("/fn/counter"));

        var load = await site.Http.GetFromJsonAsync<JsonObject>("/api/load");

        var here = load!["sites"]!.AsArray().Single()!;
        Assert.Equal(("solo", "solo", 3, 0, 0), (load["site"]!.GetValue<string>(), here["path"]!.GetValue<string>(), here["capacity"]!.GetValue<int>(),
            here["inFlight"]!.GetValue<int>(), here["queued"]!.GetValue<int>()));
        Assert.Equal(0, here["functions"]!["counter"]!["inFlight"]!.GetValue<int>());
        Assert.True(here["functions"]!["counter"]!["serviceTimeMs"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Start_NegativeCapacity_IsRefusedNamingIt()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestSite.StartAsync(o => o with { Capacity = -1 }));

        Assert.Contains("capacity: -1 is negative (0 means one slot per core)", error.Message, StringComparison.Ordinal);
    }
}
