using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Fornax.Testing;

namespace Fornax.Cli.Tests.Arm64;

/// <summary>
/// The linux-arm64 release build, run under qemu-aarch64 as a child of an x64 parent: what an arm64 edge device runs.
/// One test, one sequence of steps over one emulated site, because each start under emulation costs seconds; a new
/// capability of the site (a port, a native) is one more step method called from it.
/// </summary>
[Trait("Category", "Arm64")]
public sealed class Arm64SmokeTests : IDisposable
{
    private const string SiteName = "pi";
    private readonly TestCli _cli = new();
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fornax-arm64-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Fact]
    public async Task Arm64Site_JoinsX64Parent_RunsWasm_KeepsItsObjectsAfterKill9()
    {
        var fornax = await Arm64Build.ExecutableAsync();
        await using var parent = await RealSite.StartAsync("cloud");
        var join = new[] { "--name", SiteName, "--tier", "edge", "--join", parent.Url, "--heartbeat", "1s" };

        SiteEndpointsInfo endpoints;
        await using (var site = EmulatedSite.Start(fornax, _dataDirectory, [.. join, "--token", await JoinTokenAsync(parent.Url)]))
        {
            endpoints = await site.WaitUntilReadyAsync();
            await LinkedOverMutualTlsAsync(endpoints, site);
            await MissionFromParentActiveAsync(parent, site);
            await WasmFunctionAnswersAsync(endpoints);
            await ApplyAtSiteAsync(endpoints, "kept");
            await site.KillAsync();
        }

        // The same data directory, no token: the site has its certificate, objects and blobs on its own disk.
        await using (var site = EmulatedSite.Start(fornax, _dataDirectory, join))
        {
            endpoints = await site.WaitUntilReadyAsync();
            await ObjectKeptAsync(endpoints, "kept");
            await LinkedOverMutualTlsAsync(endpoints, site);
            await WasmFunctionAnswersAsync(endpoints);
        }
    }

    private static async Task<string> JoinTokenAsync(string parentUrl)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(parentUrl + "/api/tokens", new StringContent("{}", Encoding.UTF8, "application/json"));
        var body = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>();
        return body!["token"]!.GetValue<string>();
    }

    /// <summary>The child's certificate is for its path under the parent and its uplink (mutual TLS, gRPC) is up.</summary>
    private static async Task LinkedOverMutualTlsAsync(SiteEndpointsInfo endpoints, EmulatedSite site)
    {
        using var http = new HttpClient();
        JsonObject? info = null;
        await Poll.UntilAsync(
            async () => (info = await http.GetFromJsonAsync<JsonObject>(endpoints.Api + "/api/site"))?["uplink"]?.GetValue<string>() == "connected",
            "the arm64 site's uplink to connect", TimeSpan.FromSeconds(60), () => Task.FromResult($"{info}\n{site.Output}"));
        Assert.Equal($"cloud/{SiteName}", info!["path"]!.GetValue<string>());
    }

    /// <summary>A mission applied at the x64 parent (a Function with its module) reaches the arm64 child, which reports Active.</summary>
    private async Task MissionFromParentActiveAsync(RealSite parent, EmulatedSite site)
    {
        var mission = Path.Combine(AppContext.BaseDirectory, "examples", "missions", "hello-function.yaml");
        var apply = await _cli.RunAsync("apply", "-f", mission, "--site", parent.Url);
        Assert.True(apply.ExitCode == 0, apply.Stderr);

        JsonObject? found = null;
        await Poll.UntilAsync(
            async () => (found = await parent.FindAsync("missions", "hello-function"))?["status"]?["state"]?[$"cloud/{SiteName}"]?.GetValue<string>() == "Active",
            "the arm64 site to report the mission Active at the parent", TimeSpan.FromSeconds(60),
            () => Task.FromResult($"{found?["status"]}\n{site.Output}"));
    }

    /// <summary>The delivered Wasm module compiles and runs in Wasmtime's arm64 native, at the site's own ingress.</summary>
    private static async Task WasmFunctionAnswersAsync(SiteEndpointsInfo endpoints)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var answer = await http.GetStringAsync(endpoints.Ingress + "/fn/hello?name=arm64");
        Assert.Equal($"Hello, arm64 from {SiteName}!", answer.Trim());
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
