using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Fornax.Cli.Tests.Release;

/// <summary>
/// The linux-x64 release build (trimmed, single file, ReadyToRun), run as its own process with a YAML config file: every
/// feature a trimmed build could lose to the trimmer (YAML settings, JSON API, missions, Wasmtime, RocksDB over RESP,
/// the portal) once, in one sequence, because the publish and the start are what cost.
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
    public async Task TrimmedBuild_ReadsConfig_AppliesMission_RunsWasm_ServesRespAndPortal()
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
        await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/fn/hello", "x64", SiteName);
        Step("Wasm function answered");
        await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/svc/default/hello/", "portal", SiteName);
        Step("the function answered through the site's portal (/svc/)");
        Assert.Equal("+OK", await Resp.CommandAsync(endpoints, "SET", "arch", "x64"));
        Assert.Equal("$3 x64", await Resp.CommandAsync(endpoints, "GET", "arch"));
        Step("KV SET and GET over RESP");
    }

    /// <summary>Where the time goes, in the test's output (not asserted: a loaded machine varies).</summary>
    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");
}
