using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Fornax.Cli.Tests.Release;

/// <summary>
/// The linux-x64 release build (Native AOT), run as its own process with a YAML config file: every feature an AOT build
/// could lose at run time to code the compiler could not see (YAML settings, the JSON API, the executable's own client
/// commands in every output format, missions, Wasmtime, RocksDB over RESP, the portal) once, in one sequence, because
/// the publish is what costs.
/// </summary>
[Trait("Category", "Release")]
[Trait("Category", "Slow")]
public sealed class X64ReleaseTests(ITestOutputHelper output) : IDisposable
{
    private const string SiteName = "edge-x64";
    private readonly TestCli _cli = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fornax-x64-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task AotBuild_ReadsConfig_AppliesMission_RunsWasm_ServesRespAndPortal()
    {
        var fornax = await ReleaseBuild.ExecutableAsync("linux-x64");
        Step("x64 release build ready (published once per change of the sources)");
        var config = Path.Combine(_dataDirectory, "site.yaml");
        await File.WriteAllTextAsync(config, $"name: {SiteName}\ntier: edge\nheartbeatInterval: 1s\n");

        var data = Directory.CreateDirectory(Path.Combine(_dataDirectory, "data")).FullName;
        await using var site = SiteProcess.StartNative(fornax, data, "--config", config);
        var endpoints = await site.WaitUntilReadyAsync();
        Step("site started and ready");
        using var http = new HttpClient();
        var info = await http.GetFromJsonAsync<JsonObject>(endpoints.Api + "/api/site");
        Assert.Equal(SiteName, info!["name"]!.GetValue<string>());
        Assert.Equal("edge", info["tier"]!.GetValue<string>());

        await ReleaseSteps.MissionActiveAsync(_cli, endpoints.Api, SiteName, site);
        Step("mission applied with the CLI, Active");
        await ReleaseCli.ListsMissionInEveryFormatAsync(fornax, emulated: false, endpoints.Api, "hello-function", _dataDirectory);
        Step("the release build's own fornax get (json, yaml, wide, table, name) and describe");
        await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/fn/hello", "x64", SiteName);
        Step("Wasm function answered");
        await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/svc/default/hello/", "portal", SiteName);
        Step("the function answered through the site's portal (/svc/)");
        Assert.Equal("+OK", await Resp.CommandAsync(endpoints, "SET", "arch", "x64"));
        Assert.Equal("$3 x64", await Resp.CommandAsync(endpoints, "GET", "arch"));
        Step("KV SET and GET over RESP");

        // A few seconds after the start the site gives back the executable's dehydrated type data (DehydratedData): the
        // read-only mappings of `fornax` then hold over 4 MiB fewer resident pages than their size (about 2 MiB before).
        var notResident = 0L;
        await Fornax.Testing.Poll.UntilAsync(
            () => (notResident = ReadOnlyPagesNotResident(site.Id, fornax)) >= 4L << 20,
            "the executable's dehydrated type data to be released",
            TimeSpan.FromSeconds(30),
            () => $"{notResident >> 10} KiB of fornax's read-only mappings not resident");
        Step($"start-up data released ({notResident >> 10} KiB of the executable's read-only pages not resident)");
    }

    /// <summary>Bytes of the executable's read-only (r--p) mappings that are not resident, from /proc/PID/smaps.</summary>
    private static long ReadOnlyPagesNotResident(int pid, string executable)
    {
        var path = Path.GetFullPath(executable);
        long notResident = 0;
        var inMapping = false;
        long size = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && !fields[0].EndsWith(':') && fields[0].Contains('-', StringComparison.Ordinal))
            {
                // A mapping's first line: "start-end perms offset dev inode [path]".
                inMapping = fields[1] == "r--p" && fields.Length >= 6 && fields[5] == path;
            }
            else if (inMapping && fields[0] == "Size:")
            {
                size = long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) << 10;
            }
            else if (inMapping && fields[0] == "Rss:")
            {
                notResident += size - (long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) << 10);
            }
        }

        return notResident;
    }

    /// <summary>Where the time goes, in the test's output (not asserted: a loaded machine varies).</summary>
    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");
}
