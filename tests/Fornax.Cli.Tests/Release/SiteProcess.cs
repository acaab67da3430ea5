using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Fornax.Testing;

namespace Fornax.Cli.Tests.Release;

/// <summary>
/// <c>fornax node run</c> of a release build as its own process: natively, or the linux-arm64 build under
/// <c>qemu-aarch64</c> (user-mode emulation: the guest runs inside the qemu process, so killing it is a kill -9 of the
/// site). Its output is kept for failure messages.
/// </summary>
internal sealed class SiteProcess : IAsyncDisposable
{
    // A bound, not a timing check: the Native AOT arm64 build starts in about 17 s under emulation at load 15, but a
    // restart of a site that holds a function creates Wasmtime's engine during the start, which stalls qemu-user for a
    // minute or more (92 s at load 15 on the shared two-core machine; docs/benchmarks.md, "Native AOT release build").
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SiteProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    /// <summary>The process id (of qemu, for the emulated build).</summary>
    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The linux-arm64 build under qemu-aarch64.</summary>
    public static SiteProcess StartEmulated(string executable, string dataDirectory, params string[] arguments)
    {
        // Native AOT: no JIT, so no code written at run time for qemu to translate stale (the JIT builds needed
        // DOTNET_EnableWriteXorExecute=0 under qemu-user; this build has no such setting to give).
        return Start(StartInfo(Qemu(), [executable], dataDirectory, arguments), dataDirectory);
    }

    /// <summary>A build for this machine's architecture, run directly with the runtime's defaults.</summary>
    public static SiteProcess StartNative(string executable, string dataDirectory, params string[] arguments) =>
        Start(StartInfo(executable, [], dataDirectory, arguments), dataDirectory);

    /// <summary>The <c>fornax.dll</c> beside the tests, run by <c>dotnet</c> (the build the tests were compiled with).</summary>
    public static SiteProcess StartBuilt(string dataDirectory, params string[] arguments) =>
        Start(StartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "fornax.dll")], dataDirectory, arguments), dataDirectory);

    private static ProcessStartInfo StartInfo(string program, string[] before, string dataDirectory, string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[.. before, "node", "run", "--data-dir", dataDirectory, "--api-port", "0", "--ingress-port", "0", "--resp-port", "0", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static SiteProcess Start(ProcessStartInfo start, string dataDirectory)
    {
        // What endpoints.json says must be this run's, not the last one's.
        File.Delete(Path.Combine(dataDirectory, "endpoints.json"));
        var site = new SiteProcess(Process.Start(start)!, dataDirectory);
        site._process.OutputDataReceived += (_, e) => site.Append(e.Data);
        site._process.ErrorDataReceived += (_, e) => site.Append(e.Data);
        site._process.BeginOutputReadLine();
        site._process.BeginErrorReadLine();
        return site;
    }

    /// <summary>Waits for <c>endpoints.json</c> and a 200 from <c>/readyz</c>; fails with the site's output if it exits first.</summary>
    public async Task<SiteEndpointsInfo> WaitUntilReadyAsync()
    {
        // One deadline for the whole start, and no shorter one per request: under emulation the first request the site
        // answers builds its routing table (tens of seconds of JIT and reflection under qemu on a loaded machine).
        using var deadline = new CancellationTokenSource(StartDeadline);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var path = Path.Combine(DataDirectory, "endpoints.json");
        while (!deadline.IsCancellationRequested)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the site exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            if (File.Exists(path) && JsonNode.Parse(await File.ReadAllTextAsync(path, deadline.Token)) is { } json)
            {
                var endpoints = new SiteEndpointsInfo(
                    json["name"]!.GetValue<string>(), json["api"]!.GetValue<string>(), json["ingress"]!.GetValue<string>(), json["resp"]?.GetValue<string>());
                if (await ReadyAsync(http, endpoints.Api, deadline.Token))
                {
                    return endpoints;
                }
            }

            await Task.Delay(Poll.Interval, CancellationToken.None);
        }

        throw new TimeoutException($"the site was not ready within {StartDeadline.TotalSeconds} s:\n{Output}");
    }

    private static async Task<bool> ReadyAsync(HttpClient http, string api, CancellationToken deadline)
    {
        try
        {
            using var ready = await http.GetAsync(api + "/readyz", deadline);
            return ready.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && deadline.IsCancellationRequested))
        {
            return false; // not listening yet, or the start deadline passed (reported by the caller)
        }
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, as a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    internal static string Qemu()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(folder, "qemu-aarch64");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("qemu-aarch64 is not on PATH: install qemu-user and the arm64 libraries (.ci/setup/40-arm64.sh does)");
    }
}
