using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Cli.Tests.Release;
using Fornax.Node.Hosting;
using Fornax.Testing;
using Xunit.Abstractions;

namespace Fornax.Cli.Tests.Arm64;

/// <summary>
/// The linux-arm64 release build (Native AOT, cross-compiled on x64), run under qemu-aarch64 as a child of an x64 parent: what an arm64 edge device runs.
/// One test, one sequence of steps over one emulated site, because each start under emulation costs seconds; a new
/// capability of the site (a port, a native) is one more step method called from it.
/// </summary>
[Trait("Category", "Arm64")]
[Trait("Category", "Slow")]
public sealed class Arm64SmokeTests(ITestOutputHelper output) : IDisposable
{
    private const string SiteName = "pi";

    // A bound, not a timing check. The delivered Function makes the site create its Wasmtime engine, whose pooling
    // allocator reserves about 0.5 TiB of address space up front (docs/functions.md); qemu-user tracks every guest page
    // of such mappings itself (its RSS reached 3.7 GB) and the whole emulated site stalls while it does: 77 s at load 16
    // on the two-core machine, heartbeats included, so the parent marks the child offline and reports the mission
    // "cluster offline" until the child is back (docs/benchmarks.md, "Native AOT release build"). A device runs it natively.
    private static readonly TimeSpan EngineStallBound = TimeSpan.FromMinutes(5);
    private readonly TestCli _cli = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fornax-arm64-").FullName;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Arm64Site_JoinsX64Parent_RunsWasm_ServesPortal_KeepsItsObjectsAfterKill9()
    {
        var fornax = await ReleaseBuild.ExecutableAsync("linux-arm64");
        Step("arm64 build ready (published once per change of the sources)");
        await using var parent = await RealSite.StartAsync("cloud");
        // --durability always: a KV write is acknowledged once fsynced, so it must survive the kill -9 below.
        var join = new[] { "--name", SiteName, "--tier", "edge", "--join", parent.Url, "--heartbeat", "1s", "--durability", "always" };

        SiteEndpointsInfo endpoints;
        await using (var site = SiteProcess.StartEmulated(fornax, _dataDirectory, [.. join, "--token", await JoinTokenAsync(parent.Url)]))
        {
            endpoints = await site.WaitUntilReadyAsync();
            Step("arm64 site started and ready");
            await LinkedOverMutualTlsAsync(endpoints, site);
            Step("joined the x64 parent, uplink connected over mutual TLS");
            await ReleaseSteps.MissionActiveAsync(_cli, parent.Url, $"cloud/{SiteName}", site, EngineStallBound);
            Step("mission from the parent Active");
            await ReleaseCli.ListsMissionInEveryFormatAsync(fornax, emulated: true, endpoints.Api, "hello-function", _dataDirectory);
            Step("the arm64 build's own fornax get (json, yaml, wide, table, name) and describe, against the arm64 site");
            await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/fn/hello", "arm64", SiteName);
            Step("Wasm function answered");
            await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/svc/default/hello/", "portal", SiteName);
            Step("the function answered through the site's portal (/svc/)");
            await ApplyAtSiteAsync(endpoints, "kept");
            Assert.Equal("+OK", await Resp.CommandAsync(endpoints, "SET", "arch", "arm64"));
            await site.KillAsync();
            Step("object applied, KV key set (RocksDB's arm64 native), site killed with SIGKILL");
        }

        // The same data directory, no token: the site has its certificate, objects and blobs on its own disk.
        await using (var site = SiteProcess.StartEmulated(fornax, _dataDirectory, join))
        {
            endpoints = await site.WaitUntilReadyAsync();
            Step("arm64 site restarted and ready");
            await ObjectKeptAsync(endpoints, "kept");
            Assert.Equal("$5 arm64", await Resp.CommandAsync(endpoints, "GET", "arch"));
            await LinkedOverMutualTlsAsync(endpoints, site);
            await ReleaseSteps.HelloAnswersAsync(endpoints, site, "/fn/hello", "arm64", SiteName);
            Step("object and KV key kept, uplink connected, Wasm function answered after the restart");
        }
    }

    /// <summary>Where the time goes under emulation, in the test's output (not asserted: a loaded machine varies).</summary>
    private void Step(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s  {what}");

    private static async Task<string> JoinTokenAsync(string parentUrl)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(parentUrl + "/api/tokens", new StringContent("{}", Encoding.UTF8, "application/json"));
        var body = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        return body!["token"]!.GetValue<string>();
    }

    /// <summary>The child's certificate is for its path under the parent and its uplink (mutual TLS, gRPC) is up.</summary>
    private static async Task LinkedOverMutualTlsAsync(SiteEndpointsInfo endpoints, SiteProcess site)
    {
        using var http = new HttpClient();
        JsonObject? info = null;
        await Poll.UntilAsync(
            async () => (info = await http.GetFromJsonAsync<JsonObject>(endpoints.Api + "/api/site"))?["uplink"]?.GetValue<string>() == "connected",
            "the arm64 site's uplink to connect", TimeSpan.FromSeconds(60), () => Task.FromResult($"{info}\n{site.Output}"));
        Assert.Equal($"cloud/{SiteName}", info!["path"]!.GetValue<string>());
    }

    private static async Task ApplyAtSiteAsync(SiteEndpointsInfo endpoints, string name)
    {
        using var http = new HttpClient();
        var body = new JsonObject
        {
            ["apiVersion"] = "fornax.io/v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["data"] = new JsonObject { ["arch"] = "arm64" },
        }.ToJsonString();
        using var response = await http.PutAsync(endpoints.Api + RealSite.ObjectPath("configmaps", name), new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    private static async Task ObjectKeptAsync(SiteEndpointsInfo endpoints, string name)
    {
        using var http = new HttpClient();
        var kept = await http.GetFromJsonAsync<JsonObject>(endpoints.Api + RealSite.ObjectPath("configmaps", name));
        Assert.Equal("arm64", kept!["data"]!["arch"]!.GetValue<string>());
    }
}
