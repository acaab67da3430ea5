using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;

namespace Fornax.Cli.Tests.Arm64;

/// <summary>
/// <c>fornax node run</c> of the linux-arm64 build as its own process under <c>qemu-aarch64</c> (user-mode emulation:
/// the guest runs inside the qemu process, so killing it is a kill -9 of the site). Its output is kept for failure messages.
/// </summary>
internal sealed class EmulatedSite : IAsyncDisposable
{
    // A bound, not a timing check: a start under emulation took 76 s at load 11 and over 90 s at load 50 on the
    // shared two-core machine (docs/benchmarks.md, "Release builds").
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EmulatedSite(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

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

    public static EmulatedSite Start(string executable, string dataDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Qemu())
        {
            ArgumentList = { executable, "node", "run", "--data-dir", dataDirectory, "--api-port", "0", "--ingress-port", "0", "--resp-port", "0" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // What endpoints.json says must be this run's, not the last one's.
        File.Delete(Path.Combine(dataDirectory, "endpoints.json"));
        var site = new EmulatedSite(Process.Start(start)!, dataDirectory);
        site._process.OutputDataReceived += (_, e) => site.Append(e.Data);
        site._process.ErrorDataReceived += (_, e) => site.Append(e.Data);
        site._process.BeginOutputReadLine();
        site._process.BeginErrorReadLine();
        return site;
    }

    /// <summary>Waits for <c>endpoints.json</c> and a 200 from <c>/readyz</c>; fails with the site's output if it exits first.</summary>
    public async Task<SiteEndpointsInfo> WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var path = Path.Combine(DataDirectory, "endpoints.json");
        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the arm64 site exited with {_process.ExitCode} before it was ready:\n{Output}");
            }

            if (File.Exists(path) && JsonNode.Parse(await File.ReadAllTextAsync(path)) is { } json)
            {
                var endpoints = new SiteEndpointsInfo(
                    json["name"]!.GetValue<string>(), json["api"]!.GetValue<string>(), json["ingress"]!.GetValue<string>(), json["resp"]?.GetValue<string>());
                using var ready = await http.GetAsync(endpoints.Api + "/readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return endpoints;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the arm64 site was not ready within {StartDeadline.TotalSeconds} s:\n{Output}");
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

    private static string Qemu()
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
