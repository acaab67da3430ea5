using Fornax.Cli.Commands.Node;

namespace Fornax.Cli.Tests;

public sealed class NodeRunTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void ConfigFile_EveryKind_OfKey_IsRead()
    {
        var options = NodeConfigFile.Parse("""
            name: shop-12
            dataDirectory: data/shop-12
            tier: edge
            host: 0.0.0.0
            apiPort: 7100
            ingressPort: 7101
            respPort: 7102
            allowCommands: true
            maxRequestBodyBytes: 1048576
            heartbeatInterval: 2s
            labels:
              fornax.io/region: east
              floor: 3
            """, "site.yaml", "/etc/fornax");

        Assert.Equal(("shop-12", "/etc/fornax/data/shop-12", "edge", "0.0.0.0"), (options.Name, options.DataDirectory, options.Tier, options.Host));
        Assert.Equal((7100, 7101, 7102), (options.ApiPort, options.IngressPort, options.RespPort));
        Assert.True(options.AllowCommands);
        Assert.Equal(1048576, options.MaxRequestBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HeartbeatInterval);
        Assert.Equal(new Dictionary<string, string> { ["fornax.io/region"] = "east", ["floor"] = "3" }, options.Labels);
    }

    [Fact]
    public void ConfigFile_UnknownKey_IsNamed_WithTheNearestKnownOne()
    {
        var error = Assert.Throws<CliException>(() => NodeConfigFile.Parse("name: a\napiport: 7100\n", "site.yaml", "/"));

        Assert.StartsWith("site.yaml: unknown key \"apiport\" (did you mean \"apiPort\"?) (known: allowCommands, apiPort, ", error.Message);
        Assert.DoesNotContain("timeProvider", error.Message);
    }

    [Fact]
    public void ConfigFile_WrongTypes_AreAllReported()
    {
        var error = Assert.Throws<CliException>(() => NodeConfigFile.Parse("apiPort: high\nallowCommands: maybe\nheartbeatInterval: soon\n", "site.yaml", "/"));

        Assert.Equal("site.yaml: apiPort: \"high\" is not an integer", error.Message);
        Assert.Equal(["site.yaml: allowCommands: expected true or false", "site.yaml: heartbeatInterval: \"soon\" is not a duration like 5s, 500ms or 1m"], error.Details);
    }

    [Fact]
    public async Task NodeRun_FlagsOverrideTheFile_PrintsEndpoints_AndStopsOnCancel()
    {
        _cli.WriteFile("site.yaml", "name: shop-1\ndataDirectory: from-file\napiPort: 7100\ntier: edge\nlabels: {a: file, b: file}\n");
        var host = new RecordingSiteHost();
        _cli.SiteHost = host;
        using var stop = new CancellationTokenSource();

        var run = _cli.RunAsync(["node", "run", "--config", "site.yaml", "--data-dir", "d", "--api-port", "0", "--label", "b=flag", "--allow-commands"], stop.Token);
        var first = await Task.WhenAny(host.Started, run).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(first == host.Started, first == run ? $"node run ended early: {(await run).Stderr}" : "");
        stop.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        var options = host.Options!;
        Assert.Equal(("shop-1", Path.Combine(_cli.WorkingDirectory, "d"), 0, "edge", true), (options.Name, options.DataDirectory, options.ApiPort, options.Tier, options.AllowCommands));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "file", ["b"] = "flag" }, options.Labels);
        Assert.True(host.Stopped);
        Assert.Contains("site shop-1 is running", result.Stdout);
        var url = (await host.Started).Api;
        Assert.Contains(result.StdoutLines, l => l.StartsWith("API", StringComparison.Ordinal) && l.EndsWith(url, StringComparison.Ordinal));
        // A port is printed only once it serves: a RESP line only when the site reports a RESP endpoint.
        Assert.Equal((await host.Started).Resp is not null, result.StdoutLines.Any(l => l.StartsWith("RESP", StringComparison.Ordinal)));
        Assert.DoesNotContain("later issue", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("site shop-1 stopped", result.Stdout);
    }

    /// <summary>The data directory deleted under the running site (its stores turn read-only, saying why): the stop still
    /// ends cleanly, where it crashed removing the pid file from a directory that was gone.</summary>
    [Fact]
    public async Task NodeRun_DataDirectoryDeletedWhileRunning_StillStopsCleanly()
    {
        var host = new RecordingSiteHost();
        _cli.SiteHost = host;
        using var stop = new CancellationTokenSource();

        var run = _cli.RunAsync(["node", "run", "--data-dir", "d", "--api-port", "0", "--ingress-port", "0"], stop.Token);
        var first = await Task.WhenAny(host.Started, run).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(first == host.Started, first == run ? $"node run ended early: {(await run).Stderr}" : "");
        // The running site may write a file there while the delete walks the directory ("not empty"): delete until gone.
        var data = Path.Combine(_cli.WorkingDirectory, "d");
        await Fornax.Testing.Poll.UntilAsync(() =>
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
            }

            return !Directory.Exists(data);
        }, "the data directory to be deleted");
        stop.Cancel();
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("stopped", result.Stdout);
    }

    [Fact]
    public async Task NodeRun_WithoutDataDirectory_IsAnError()
    {
        var result = await _cli.RunAsync("node", "run", "--name", "x");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: a data directory is required: --data-dir DIR, or dataDirectory in the --config file\n", result.Stderr);
    }

    [Fact]
    public async Task NodeRun_WithoutFileOrPortFlags_TakesTheDefaultPorts()
    {
        var host = new RecordingSiteHost();
        _cli.SiteHost = host;
        using var stop = new CancellationTokenSource();

        var run = _cli.RunAsync(["node", "run", "--data-dir", "d", "--ingress-port", "0"], stop.Token);
        var first = await Task.WhenAny(host.Started, run).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(first == host.Started, first == run ? $"node run ended early: {(await run).Stderr}" : "");
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((7100, 0, 7102, "local"), (host.Options!.ApiPort, host.Options.IngressPort, host.Options.RespPort, host.Options.Name));
    }

    [Fact]
    public async Task NodeRun_JoinWithParentDown_IsOneLineError_AndChangesNothing()
    {
        // A port nothing listens on: bind one, note it, close it.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await _cli.RunAsync("node", "run", "--name", "child", "--data-dir", "d", "--api-port", "0", "--ingress-port", "0",
            "--resp-port", "0", "--join", $"http://127.0.0.1:{port}", "--token", "t0k3n");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"error: join: the parent at http://127.0.0.1:{port} cannot be reached: ", lines[0]);
        Assert.Equal("  nothing changed at this site: run the same command again once the parent can be reached", lines[1]);
        Assert.Equal(2, lines.Length); // no stack trace
        var pki = Path.Combine(_cli.WorkingDirectory, "d", "pki");
        Assert.False(Directory.Exists(pki) && Directory.EnumerateFiles(pki, "*.crt*", SearchOption.AllDirectories).Any(),
            "no site certificate may be written when the join did not happen");
    }

    [Fact]
    public async Task NodeRun_OnADataDirectoryInUse_IsOneLineError_NotACrash()
    {
        // Another site process holds the directory's lock file (as a running `node run` does).
        var directory = Path.Combine(_cli.WorkingDirectory, "d");
        Directory.CreateDirectory(directory);
        using var held = new FileStream(Path.Combine(directory, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var result = await _cli.RunAsync("node", "run", "--name", "second", "--data-dir", "d", "--api-port", "0", "--ingress-port", "0", "--resp-port", "0");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"error: data directory {directory} is in use by another store (lock file {Path.Combine(directory, "lock")} is held)", lines[0]);
        Assert.Equal("  stop the site that runs on it first (`fornax down` for a tree), or give this one another --data-dir", lines[1]);
        Assert.Equal(2, lines.Length); // no stack trace
    }

    [Theory]
    [InlineData("--api-port", "Failed to bind to address http://127.0.0.1:{0}: address already in use.")]
    [InlineData("--resp-port", "the RESP port cannot listen on 127.0.0.1:{0}: Address already in use")]
    public async Task NodeRun_OnAPortInUse_IsOneLineError_NamingTheAddress(string option, string expected)
    {
        // Another process listens on the port (not SO_REUSEADDR-shareable: it is listening, not in TIME_WAIT).
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        string[] ports = ["--api-port", "0", "--ingress-port", "0", "--resp-port", "0"];
        ports[Array.IndexOf(ports, option) + 1] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var result = await _cli.RunAsync(["node", "run", "--name", "busy", "--data-dir", "d", .. ports]);

        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("error: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, port), lines[0]);
        Assert.StartsWith("  another process listens there", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length); // no stack trace
    }
}
