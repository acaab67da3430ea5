using Fornax.Node.Hosting;
using Microsoft.Extensions.Logging;

namespace Fornax.Cli.Tests;

/// <summary><c>fornax invoke</c> and <c>fornax get functions -o wide</c> against a real site with hello deployed by <c>fornax apply</c>.</summary>
public sealed class InvokeTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private SiteNode? _site;

    private string Api => _site!.Endpoints.Api;

    public async Task InitializeAsync()
    {
        var data = Path.Combine(_cli.Root, "site");
        _site = await SiteNode.StartAsync(new NodeOptions { DataDirectory = data, Name = "edge-1", LogLevel = LogLevel.Warning });
        var hello = Path.Combine(FindRepositoryRoot(), "examples", "functions", "hello", "hello.wasm");
        File.Copy(hello, Path.Combine(_cli.WorkingDirectory, "hello.wasm"));
        _cli.WriteFile("functions.yaml", """
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {name: hello}
            spec: {module: hello.wasm, triggers: {http: {methods: [GET, POST]}}}
            ---
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {name: trap}
            spec: {module: trap.wasm}
            """);
        File.Copy(Path.Combine(FindRepositoryRoot(), "examples", "functions", "misbehave", "trap.wasm"), Path.Combine(_cli.WorkingDirectory, "trap.wasm"));
        var applied = await _cli.RunAsync("apply", "-f", "functions.yaml", "--site", Api);
        Assert.True(applied.ExitCode == 0, applied.Stderr);
        // Applied is not yet loaded: wait (with a deadline) until the site says both are Ready.
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!(await _cli.RunAsync("get", "functions", "--site", Api)).StdoutLines.Count(l => l.Contains("Ready", StringComparison.Ordinal)).Equals(2))
        {
            Assert.True(DateTime.UtcNow < until, "functions did not become Ready");
            await Task.Delay(20);
        }
    }

    public async Task DisposeAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Invoke_Hello_PrintsTheBodyAndExitsZero()
    {
        var result = await _cli.RunAsync("invoke", "hello", "--site", Api, "--path", "/a?name=ada");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Hello, ada from edge-1!\npath: /a\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Invoke_WithInclude_PrintsStatusLineAndHeadersFirst()
    {
        var result = await _cli.RunAsync("invoke", "hello", "--site", Api, "-i");

        Assert.Equal(0, result.ExitCode);
        var (head, body) = Split(result.Stdout);
        Assert.Equal("HTTP/1.1 200 OK", head[0]);
        Assert.Contains("X-Fornax-Example: hello", head);
        Assert.Contains("Content-Type: text/plain; charset=utf-8", head);
        Assert.Equal("Hello, world from edge-1!\npath: /\n", body);
    }

    [Fact]
    public async Task Invoke_WithDataTextFileOrStdin_PostsTheBody()
    {
        _cli.WriteFile("body.txt", "from a file");
        _cli.Stdin = "from stdin";

        var text = await _cli.RunAsync("invoke", "hello", "--site", Api, "--data", "inline", "-i");
        var file = await _cli.RunAsync("invoke", "hello", "--site", Api, "--data", "@body.txt");
        var stdin = await _cli.RunAsync("invoke", "hello", "--site", Api, "-d", "-", "-H", "X-Trace: 1");
        var missing = await _cli.RunAsync("invoke", "hello", "--site", Api, "--data", "@nope.txt");

        // hello ignores its body; what matters is that the POST was accepted (POST is in its trigger methods).
        Assert.Equal((0, 0, 0), (text.ExitCode, file.ExitCode, stdin.ExitCode));
        Assert.StartsWith("HTTP/1.1 200 OK", text.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: --data: file \"nope.txt\" not found", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_MethodNotAllowed_PrintsTheSiteReasonAndExitsOne()
    {
        var result = await _cli.RunAsync("invoke", "hello", "--site", Api, "-X", "DELETE");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("method DELETE is not allowed for function 'hello' (spec.triggers.http.methods: GET, POST)\n", result.Stdout);
        Assert.Equal("error: function hello answered 405 Method Not Allowed\n", result.Stderr);
    }

    [Fact]
    public async Task Invoke_NotDeployed_Prints404AndExitsOne()
    {
        var result = await _cli.RunAsync("invoke", "nope", "--site", Api, "-i");

        Assert.Equal(1, result.ExitCode);
        var (head, body) = Split(result.Stdout);
        Assert.Equal("HTTP/1.1 404 Not Found", head[0]);
        Assert.Equal("function 'nope' is not deployed at site 'edge-1'\n", body);
    }

    [Fact]
    public async Task Invoke_GuestTraps_Prints500WithTheTrapKindAndExitsOne()
    {
        var result = await _cli.RunAsync("invoke", "trap", "--site", Api);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("function trapped: unreachable\n", result.Stdout);
        Assert.Equal("error: function trap answered 500 Internal Server Error\n", result.Stderr);
    }

    [Fact]
    public async Task Invoke_BadHeader_FailsNamingIt()
    {
        var result = await _cli.RunAsync("invoke", "hello", "--site", Api, "-H", "no-colon");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: -H: \"no-colon\" is not a header like 'Name: value'\n", result.Stderr);
    }

    [Fact]
    public async Task GetFunctionsWide_AfterInvocations_ShowsTheSiteCounts()
    {
        await _cli.RunAsync("invoke", "hello", "--site", Api);
        await _cli.RunAsync("invoke", "hello", "--site", Api);
        await _cli.RunAsync("invoke", "trap", "--site", Api);

        var result = await _cli.RunAsync("get", "functions", "-o", "wide", "--site", Api);

        Assert.Equal(0, result.ExitCode);
        var lines = result.StdoutLines;
        Assert.Equal(["NAME", "ABI", "MODULE", "STATUS", "AGE", "INVOCATIONS", "COLD", "STARTS", "TRAPS", "TIMEOUTS", "P50"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var hello = lines.Single(l => l.StartsWith("hello ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var trap = lines.Single(l => l.StartsWith("trap ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("wagi", "Ready", "2", "2", "0", "0"), (hello[1], hello[3], hello[5], hello[6], hello[7], hello[8]));
        Assert.EndsWith("ms", hello[9], StringComparison.Ordinal);
        Assert.Equal(("1", "1"), (trap[5], trap[7]));
    }

    private static (List<string> Head, string Body) Split(string output)
    {
        var end = output.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, output);
        return (output[..end].Split("\r\n").ToList(), output[(end + 4)..]);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fornax.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find Fornax.slnx above " + AppContext.BaseDirectory);
    }
}
