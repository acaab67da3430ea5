using System.Text;

namespace Fornax.Functions.Tests;

public sealed class WagiTests : IDisposable
{
    private readonly TestRuntime _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task InvokeAsync_HelloWithQueryName_GreetsFromSite()
    {
        var fn = await _fx.LoadAsync("hello", Guests.Hello);

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(PathInfo: "/a/b", QueryString: "x=1&name=ada", ScriptName: "/fn/hello"));

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.Equal(200, result.StatusCode);
        Assert.Equal("Hello, ada from test-site!\npath: /a/b\n", Encoding.UTF8.GetString(result.Body.Span));
        Assert.Contains(new KeyValuePair<string, string>("Content-Type", "text/plain; charset=utf-8"), result.Headers);
        Assert.Contains(new KeyValuePair<string, string>("X-Fornax-Example", "hello"), result.Headers);
        Assert.Null(result.Message);
    }

    [Fact]
    public async Task InvokeAsync_Request_SetsCgiEnvironmentAndStdin()
    {
        var fn = await _fx.LoadAsync("printenv", Guests.PrintEnv, env: new Dictionary<string, string> { ["GREETING"] = "hi" });
        var request = new InvocationRequest(
            Method: "POST", PathInfo: "/items/7", QueryString: "q=1", ScriptName: "/fn/printenv",
            FullUrl: "http://site.local/fn/printenv/items/7?q=1",
            Headers: [new("Content-Type", "application/json"), new("X-Request-Id", "r-1"), new("Accept", "*/*")],
            Body: "{\"a\":1}"u8.ToArray());

        var result = await _fx.InvokeAsync(fn, request);

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        string body = Encoding.UTF8.GetString(result.Body.Span);
        string[] lines = body.Split('\n');
        foreach (string expected in new[]
        {
            "REQUEST_METHOD=POST", "PATH_INFO=/items/7", "QUERY_STRING=q=1", "SCRIPT_NAME=/fn/printenv",
            "SERVER_PROTOCOL=HTTP/1.1", "CONTENT_TYPE=application/json", "CONTENT_LENGTH=7",
            "X_FULL_URL=http://site.local/fn/printenv/items/7?q=1", "HTTP_X_REQUEST_ID=r-1", "HTTP_ACCEPT=*/*",
            "FORNAX_SITE=test-site", "FORNAX_FUNCTION=printenv", "GREETING=hi",
        })
        {
            Assert.Contains(expected, lines);
        }
        Assert.DoesNotContain(lines, l => l.StartsWith("HTTP_CONTENT_TYPE=", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("PATH=", StringComparison.Ordinal)); // nothing inherited from the host
        Assert.EndsWith("stdin:{\"a\":1}", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ConsecutiveRequestsOnOneThread_ShareNothing()
    {
        // A thread reuses its invocation context (output and environment buffers) for its next request: a big request
        // followed by a small one must leave no trace of the first in the second's environment, stdin or output.
        var fn = await _fx.LoadAsync("printenv", Guests.PrintEnv);
        var bigHeaders = Enumerable.Range(1, 20).Select(i => new KeyValuePair<string, string>($"X-Big-{i}", new string('v', 200))).ToList();
        int thread = Environment.CurrentManagedThreadId;

        var firstCall = _fx.Runtime.InvokeAsync(fn, new InvocationRequest(Method: "POST", Headers: bigHeaders, Body: Encoding.UTF8.GetBytes(new string('A', 5000))));
        var secondCall = _fx.Runtime.InvokeAsync(fn, new InvocationRequest(Method: "POST", Body: "second"u8.ToArray()));

        // Both ran to completion on this thread, one after the other, before either was awaited.
        Assert.True(firstCall.IsCompletedSuccessfully && secondCall.IsCompletedSuccessfully);
        Assert.Equal(thread, Environment.CurrentManagedThreadId);
        var first = await firstCall;
        var second = await secondCall;
        Assert.Equal(InvocationOutcome.Ok, first.Outcome);
        Assert.Contains("HTTP_X_BIG_20=" + new string('v', 200), Encoding.UTF8.GetString(first.Body.Span).Split('\n'));
        string body = Encoding.UTF8.GetString(second.Body.Span);
        var lines = body.Split('\n');
        Assert.DoesNotContain(lines, l => l.StartsWith("HTTP_X_BIG", StringComparison.Ordinal));
        Assert.Contains("CONTENT_LENGTH=6", lines);
        Assert.EndsWith("stdin:second", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_HeaderNamedLikeFunctionEnv_DoesNotOverrideIt()
    {
        var fn = await _fx.LoadAsync("printenv", Guests.PrintEnv, env: new Dictionary<string, string> { ["HTTP_X_ROLE"] = "function" });

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(Headers: [new("X-Role", "client")]));

        var lines = Encoding.UTF8.GetString(result.Body.Span).Split('\n');
        Assert.Contains("HTTP_X_ROLE=function", lines);
        Assert.DoesNotContain("HTTP_X_ROLE=client", lines);
    }

    [Fact]
    public async Task InvokeAsync_FunctionEnvNamedLikeHostVariable_DoesNotOverrideIt()
    {
        var fn = await _fx.LoadAsync("printenv", Guests.PrintEnv, env: new Dictionary<string, string>
        {
            ["REQUEST_METHOD"] = "FAKE", ["FORNAX_SITE"] = "elsewhere", ["MINE"] = "kept",
        });

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(Method: "PUT"));

        var lines = Encoding.UTF8.GetString(result.Body.Span).Split('\n');
        Assert.Contains("REQUEST_METHOD=PUT", lines);
        Assert.Contains("FORNAX_SITE=test-site", lines);
        Assert.Contains("MINE=kept", lines);
        Assert.Single(lines, l => l.StartsWith("REQUEST_METHOD=", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("FORNAX_SITE=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_HeadersMappingToOneVariable_FirstWinsAndValuesStayUtf8()
    {
        var fn = await _fx.LoadAsync("printenv", Guests.PrintEnv);

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(Headers:
        [
            new("X-Name", "Zoë"), new("x_name", "second"), new("Tëst", "not a token"), new("Accept", "*/*"),
        ]));

        var lines = Encoding.UTF8.GetString(result.Body.Span).Split('\n');
        Assert.Single(lines, l => l.StartsWith("HTTP_X_NAME=", StringComparison.Ordinal));
        Assert.Contains("HTTP_X_NAME=Zoë", lines);
        Assert.Contains("HTTP_ACCEPT=*/*", lines);
        Assert.DoesNotContain(lines, l => l.Contains("not a token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokeAsync_JsonTransform_UppercasesStringValues()
    {
        var fn = await _fx.LoadAsync("json", Guests.JsonTransform);

        var result = await _fx.InvokeAsync(fn, new InvocationRequest(Method: "POST", Body: "{\"name\":\"ada\",\"tags\":[\"x\",1],\"k\\\"q\":\"a\\nb\"}"u8.ToArray()));

        Assert.Equal(InvocationOutcome.Ok, result.Outcome);
        Assert.Equal("{\"name\":\"ADA\",\"tags\":[\"X\",1],\"k\\\"q\":\"A\\nB\"}", Encoding.UTF8.GetString(result.Body.Span));
        Assert.Contains(new KeyValuePair<string, string>("Content-Type", "application/json"), result.Headers);
        Assert.Contains(new KeyValuePair<string, string>("X-Fornax-Site", "test-site"), result.Headers);
    }

    [Fact]
    public async Task InvokeAsync_CounterCalledRepeatedly_ReturnsOneEveryTime()
    {
        var fn = await _fx.LoadAsync("counter", Guests.Counter);

        for (int i = 0; i < 5; i++)
        {
            var result = await _fx.InvokeAsync(fn);
            Assert.Equal("1\n", Encoding.UTF8.GetString(result.Body.Span));
        }
        Assert.Equal(5, _fx.Runtime.GetStats("counter")!.Instantiations);
    }

    [Fact]
    public async Task InvokeAsync_StatusAndLocationHeaders_MapToStatusCode()
    {
        var notFound = await _fx.LoadAsync("nf", Guests.Printing("Status: 404 Not Found\nContent-Type: text/plain\n\nnope"));
        var redirect = await _fx.LoadAsync("redir", Guests.Printing("Location: https://example.org/\r\n\r\n"));
        var plain = await _fx.LoadAsync("plain", Guests.Printing("just text, no headers"));

        var r1 = await _fx.InvokeAsync(notFound);
        var r2 = await _fx.InvokeAsync(redirect);
        var r3 = await _fx.InvokeAsync(plain);

        Assert.Equal((InvocationOutcome.Ok, 404, "nope"), (r1.Outcome, r1.StatusCode, Encoding.UTF8.GetString(r1.Body.Span)));
        Assert.DoesNotContain(r1.Headers, h => h.Key == "Status");
        Assert.Equal(302, r2.StatusCode);
        Assert.Contains(new KeyValuePair<string, string>("Location", "https://example.org/"), r2.Headers);
        Assert.Equal((200, "just text, no headers"), (r3.StatusCode, Encoding.UTF8.GetString(r3.Body.Span)));
    }

    [Fact]
    public async Task InvokeAsync_InvalidStatusHeader_ReturnsInvalidResponse()
    {
        var fn = await _fx.LoadAsync("bad", Guests.Printing("Status: teapot\n\n"));

        var result = await _fx.InvokeAsync(fn);

        Assert.Equal((InvocationOutcome.InvalidResponse, 502), (result.Outcome, result.StatusCode));
        Assert.Equal("invalid CGI Status header 'teapot'", result.Message);
    }
}
