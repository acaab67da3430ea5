using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Testing;

namespace Fornax.Node.Tests;

public sealed class FunctionIngressTests
{
    [Fact]
    public async Task Hello_DeployedThroughApi_AnswersOnTheIngressPort()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("hello", "hello/hello.wasm");
        using var ingress = site.Ingress();

        using var response = await ingress.GetAsync("/fn/hello/a/b?name=ada");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello, ada from solo!\npath: /a/b\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("hello", response.Headers.GetValues("X-Fornax-Example").Single());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Hello_WithoutRestOfPath_AnswersAndApiPortDoesNotServeIt()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("hello", "hello/hello.wasm");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/hello");
        var onApi = await site.Http.GetAsync("/fn/hello");

        Assert.Equal((HttpStatusCode.OK, "Hello, world from solo!\npath: /\n"), (status, body));
        Assert.Equal(HttpStatusCode.NotFound, onApi.StatusCode);
    }

    [Fact]
    public async Task PrintEnv_Post_GetsBodyOnStdinAndSiteAndOwnEnvInEnvironment()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("printenv", "testing/printenv.wasm", "  env: {GREETING: hi}\n");
        using var ingress = site.Ingress();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fn/printenv/x?q=1") { Content = new StringContent("the body") };
        request.Headers.Add("X-Request-Id", "r-1");

        using var response = await ingress.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("FORNAX_SITE=solo", lines);
        Assert.Contains("FORNAX_FUNCTION=printenv", lines);
        Assert.Contains("GREETING=hi", lines);
        Assert.Contains("REQUEST_METHOD=POST", lines);
        Assert.Contains("PATH_INFO=/x", lines);
        Assert.Contains("QUERY_STRING=q=1", lines);
        Assert.Contains("SCRIPT_NAME=/fn/printenv", lines);
        Assert.Contains("HTTP_X_REQUEST_ID=r-1", lines);
        Assert.Equal("stdin:the body", lines[^1]);
    }

    [Fact]
    public async Task Counter_ManyRequests_EachRunsInAFreshInstance()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("counter", "counter/counter.wasm");
        using var ingress = site.Ingress();

        // Rounds of 16 at once: the default limit of concurrent invocations per function (a 17th at once is refused 429 by
        // design, which 20 at once met whenever they all overlapped).
        var bodies = new List<string>();
        for (var round = 0; round < 3; round++)
        {
            bodies.AddRange(await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ingress.GetStringAsync("/fn/counter"))));
        }

        Assert.Equal(48, bodies.Count);
        Assert.All(bodies, b => Assert.Equal("1\n", b));
    }

    [Fact]
    public async Task Invoke_NotDeployedHere_Returns404WithOneLine()
    {
        await using var site = await TestSite.StartAsync();
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/nope/x");

        Assert.Equal((HttpStatusCode.NotFound, "function 'nope' is not deployed at site 'solo'\n"), (status, body));
    }

    [Fact]
    public async Task Invoke_MethodNotInTriggers_Returns405WithAllow()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("hello", "hello/hello.wasm", "  triggers: {http: {methods: [GET, post]}}\n");
        using var ingress = site.Ingress();

        using var response = await ingress.DeleteAsync("/fn/hello");
        var ok = await ingress.SendAsync(HttpMethod.Post, "/fn/hello", "x");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method DELETE is not allowed for function 'hello' (spec.triggers.http.methods: GET, POST)\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(["GET", "POST"], response.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.OK, ok.Status);
    }

    [Fact]
    public async Task Invoke_GuestTraps_Returns500NamingTheTrap()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("trap", "misbehave/trap.wasm");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/trap");

        Assert.Equal((HttpStatusCode.InternalServerError, "function trapped: unreachable\n"), (status, body));
    }

    [Fact]
    public async Task Invoke_MemoryBomb_Returns500NamingTheLimit()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("bomb", "misbehave/membomb.wasm", "  limits: {memoryMiB: 2}\n");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/bomb");

        Assert.Equal((HttpStatusCode.InternalServerError, "memory limit of 2 MiB exceeded\n"), (status, body));
    }

    [Fact]
    public async Task Invoke_HugeOutput_Returns500NamingTheCap()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("big", "misbehave/bigoutput.wasm");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/big");

        Assert.Equal((HttpStatusCode.InternalServerError, "response exceeded the output cap of 1 MiB\n"), (status, body));
    }

    [Fact]
    public async Task Invoke_Timeout_Returns504()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("loop", "misbehave/loop.wasm", "  limits: {timeout: 100ms}\n");
        using var ingress = site.Ingress();

        var (status, body) = await ingress.SendAsync(HttpMethod.Get, "/fn/loop");

        Assert.Equal((HttpStatusCode.GatewayTimeout, "timed out after 100 ms\n"), (status, body));
    }

    [Fact]
    public async Task Invoke_OverMaxConcurrency_Returns429()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("loop", "misbehave/loop.wasm", "  limits: {timeout: 3s}\n  scale: {maxConcurrency: 1}\n");
        using var ingress = site.Ingress();

        var first = ingress.SendAsync(HttpMethod.Get, "/fn/loop");
        await Poll.UntilAsync(async () => (await site.StatsAsync("loop"))?["inFlight"]?.GetValue<long>() == 1, "the first invocation to be running");
        using var second = await ingress.GetAsync("/fn/loop");

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("function 'loop' is at its concurrency limit of 1\n", await second.Content.ReadAsStringAsync());
        Assert.Equal("1", second.Headers.GetValues("Retry-After").Single());
        Assert.Equal(HttpStatusCode.GatewayTimeout, (await first).Status);
    }

    [Fact]
    public async Task Function_Deleted_Returns404()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("hello", "hello/hello.wasm");
        using var ingress = site.Ingress();
        Assert.Equal(HttpStatusCode.OK, (await ingress.SendAsync(HttpMethod.Get, "/fn/hello")).Status);

        var deleted = await site.Http.DeleteAsync(TestSite.ObjectsPath("functions", "hello"));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        await Poll.UntilAsync(async () => (await ingress.SendAsync(HttpMethod.Get, "/fn/hello")).Status == HttpStatusCode.NotFound, "the deleted function to answer 404");
        Assert.Null(await site.StatsAsync("hello"));
    }

    [Fact]
    public async Task Function_SpecChanged_IsReloaded()
    {
        await using var site = await TestSite.StartAsync();
        var digest = await site.DeployAsync("printenv", "testing/printenv.wasm", "  env: {GREETING: hi}\n");
        using var ingress = site.Ingress();

        await site.PutYamlAsync("functions", "printenv", FunctionSite.FunctionYaml("printenv", digest, "  env: {GREETING: hello}\n"));

        await Poll.UntilAsync(async () => (await ingress.GetStringAsync("/fn/printenv")).Contains("GREETING=hello\n", StringComparison.Ordinal), "the new env to be served");
    }

    [Fact]
    public async Task Stats_AfterInvocations_CountsPerFunction()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("hello", "hello/hello.wasm");
        await site.DeployAsync("trap", "misbehave/trap.wasm");
        using var ingress = site.Ingress();
        for (var i = 0; i < 3; i++)
        {
            await ingress.GetAsync("/fn/hello");
        }

        await ingress.GetAsync("/fn/trap");

        var hello = await site.StatsAsync("hello");
        var trap = await site.StatsAsync("trap");
        Assert.Equal((3, 3, 0, 0), (hello!["invocations"]!.GetValue<long>(), hello["coldStarts"]!.GetValue<long>(), hello["traps"]!.GetValue<long>(), hello["timeouts"]!.GetValue<long>()));
        Assert.True(hello["p50Ms"]!.GetValue<double>() > 0);
        Assert.Equal((1, 1), (trap!["invocations"]!.GetValue<long>(), trap["traps"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Metrics_AfterAnInvocation_ExposeFunctionInstruments()
    {
        await using var site = await TestSite.StartAsync();
        await site.DeployAsync("hello", "hello/hello.wasm");
        using var ingress = site.Ingress();
        await ingress.GetAsync("/fn/hello");

        var metrics = "";
        await Poll.UntilAsync(async () =>
        {
            metrics = await site.Http.GetStringAsync("/metrics");
            return metrics.Contains("fornax_functions_invocations", StringComparison.Ordinal);
        }, "function metrics at /metrics");

        Assert.Contains("function=\"hello\"", metrics, StringComparison.Ordinal);
        Assert.Contains("fornax_functions_duration", metrics, StringComparison.Ordinal);
        // Sub-millisecond buckets (the engine's advice), not OpenTelemetry's millisecond-scale defaults.
        Assert.Contains("le=\"0.0005\"", metrics, StringComparison.Ordinal);
        Assert.Contains("fornax_functions_instantiations", metrics, StringComparison.Ordinal);
    }
}
