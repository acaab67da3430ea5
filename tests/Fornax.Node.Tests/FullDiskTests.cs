using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Fornax.Node.Hosting;
using Fornax.Testing;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Fornax.Node.Tests;

/// <summary>
/// A site on a full disk (a real 16 MiB tmpfs filled to the last block): it starts and serves reads with its store
/// read-only, refuses writes with 507 and changes nothing, says so in <c>/api/site</c>, and takes writes again once the
/// disk has room, without a restart. Also when the disk fills while it runs.
/// </summary>
/// <remarks>Each test fails on a site without read-only mode: the start dies on SQLite's "disk I/O error", and a write
/// that fills the disk leaves the site writable (no <c>storage</c> in <c>/api/site</c>).</remarks>
public sealed class FullDiskTests(ITestOutputHelper output)
{
    private const string KeptYaml = "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: kept}\ndata: {greeting: hello}\n";

    [Fact]
    public async Task Start_OnAFullDisk_ServesReads_Refuses507_AndTakesWritesWhenSpaceReturns()
    {
        using var disk = SmallDisk.TryMount(output.WriteLine);
        if (disk is null)
        {
            return;
        }

        await using (var first = await StartAsync(disk))
        {
            (await first.PutYamlAsync("configmaps", "kept", KeptYaml)).EnsureSuccessStatusCode();
            await first.DeployAsync("hello", "hello/hello.wasm");
        }

        disk.Fill();
        await using var site = await StartAsync(disk);

        // Reads: the object, the site, the probes.
        Assert.Equal("hello", (await site.GetAsync("configmaps", "kept"))!["data"]!["greeting"]!.GetValue<string>());
        var info = await site.Http.GetFromJsonAsync<JsonObject>("/api/site");
        Assert.Equal("read-only", info!["storage"]!["state"]!.GetValue<string>());
        Assert.Contains("no space left on device", info["storage"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(Path.Combine(disk.DataDirectory, "objects.db"), info["storage"]!["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ok", await site.Http.GetStringAsync("/healthz"));
        Assert.Equal("ok", await site.Http.GetStringAsync("/readyz"));
        var rv = info["resourceVersion"]!.GetValue<long>();
        using var ingress = site.Ingress();
        await Poll.UntilAsync(
            async () => (await ingress.SendAsync(HttpMethod.Get, "/fn/hello")).Body == "Hello, world from solo!\npath: /\n",
            "the function stored before the disk filled to answer");

        // Writes: 507 with a Status that names the cause, and nothing changes.
        using var create = await site.PutYamlAsync("configmaps", "new", KeptYaml.Replace("kept", "new", StringComparison.Ordinal));
        using var change = await site.PutYamlAsync("configmaps", "kept", KeptYaml.Replace("hello", "changed", StringComparison.Ordinal));
        using var delete = await site.Http.DeleteAsync(TestSite.ObjectsPath("configmaps", "kept"));
        foreach (var refused in new[] { create, change, delete })
        {
            var message = await AssertInsufficientStorageAsync(refused);
            Assert.Contains("read-only: no space left on device", message, StringComparison.Ordinal);
        }

        Assert.Null(await site.GetAsync("configmaps", "new"));
        Assert.Equal("hello", (await site.GetAsync("configmaps", "kept"))!["data"]!["greeting"]!.GetValue<string>());
        Assert.Equal(rv, (await site.Http.GetFromJsonAsync<JsonObject>("/api/site"))!["resourceVersion"]!.GetValue<long>());

        // Room again: writes resume without a restart, and the start's records are written.
        disk.Free();
        await Poll.UntilAsync(async () => await StorageStateAsync(site) == "read-write", "the site to take writes again");
        using var created = await site.PutYamlAsync("configmaps", "new", KeptYaml.Replace("kept", "new", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(await site.GetAsync("configmaps", "new"));
        var endpoints = Path.Combine(disk.DataDirectory, "endpoints.json");
        await Poll.UntilAsync(
            () => File.Exists(endpoints) && File.ReadAllText(endpoints).Contains(site.Node.Endpoints.Api, StringComparison.Ordinal),
            "endpoints.json to name this start's API address");
    }

    [Fact]
    public async Task Write_ThatFindsTheDiskFull_Is507_SiteGoesReadOnly_ServesReads_AndTakesWritesWhenSpaceReturns()
    {
        using var disk = SmallDisk.TryMount(output.WriteLine);
        if (disk is null)
        {
            return;
        }

        await using var site = await StartAsync(disk);
        (await site.PutYamlAsync("configmaps", "kept", KeptYaml)).EnsureSuccessStatusCode();
        disk.Fill();

        // A megabyte more than the write-ahead log has room for: SQLite gets ENOSPC.
        var big = $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{blob: {new string('x', 1024 * 1024)}}}\n";
        using var full = await site.PutYamlAsync("configmaps", "big", big);
        Assert.Contains("no space left on device", await AssertInsufficientStorageAsync(full), StringComparison.Ordinal);

        Assert.Equal("read-only", await StorageStateAsync(site));
        Assert.Null(await site.GetAsync("configmaps", "big"));
        Assert.Equal("hello", (await site.GetAsync("configmaps", "kept"))!["data"]!["greeting"]!.GetValue<string>());
        using var small = await site.PutYamlAsync("configmaps", "small", KeptYaml.Replace("kept", "small", StringComparison.Ordinal));
        Assert.Contains("read-only", await AssertInsufficientStorageAsync(small), StringComparison.Ordinal);
        Assert.Null(await site.GetAsync("configmaps", "small"));

        disk.Free();
        await Poll.UntilAsync(async () => await StorageStateAsync(site) == "read-write", "the site to take writes again");
        using var written = await site.PutYamlAsync("configmaps", "big", big);
        Assert.Equal(HttpStatusCode.Created, written.StatusCode);
        Assert.Equal(1024 * 1024, (await site.GetAsync("configmaps", "big"))!["data"]!["blob"]!.GetValue<string>().Length);
    }

    private static async Task<TestSite> StartAsync(SmallDisk disk) =>
        await TestSite.StartAsync(
            o => o with { StorageCheckInterval = TimeSpan.FromMilliseconds(50), LogLevel = LogLevel.Information },
            disk.DataDirectory,
            keepDataDirectory: true);

    private static async Task<string> StorageStateAsync(TestSite site) =>
        (await site.Http.GetFromJsonAsync<JsonObject>("/api/site"))!["storage"]!["state"]!.GetValue<string>();

    /// <summary>Asserts a 507 with a Kubernetes Status body; returns its message.</summary>
    private static async Task<string> AssertInsufficientStorageAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"expected 507, got {(int)response.StatusCode}: {body}");
        var status = JsonNode.Parse(body)!.AsObject();
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("InsufficientStorage", status["reason"]!.GetValue<string>());
        Assert.Equal(507, status["code"]!.GetValue<int>());
        return status["message"]!.GetValue<string>();
    }
}
