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
    }

    /// <summary>Where the time goes, in the test's output (not asserted: a loaded machine varies).</summary>
    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");
}
