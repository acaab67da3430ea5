using System.Text.Json.Nodes;
using Fornax.Cli.Manifests;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

namespace Fornax.Cli.Tests;

/// <summary>
/// Every stored kind through the whole CLI against a real site: apply → get -o json → describe → get -o yaml
/// → delete → get says not found.
/// </summary>
public sealed class RoundTripTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private RealSite _site = null!;

    public async Task InitializeAsync() => _site = await RealSite.StartAsync("cloud");

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task RoundTrip_Site()
    {
        _cli.WriteFile("site.yaml", """
            apiVersion: fornax.io/v1
            kind: Site
            metadata:
              name: east
              labels: {region: east}
            spec:
              parent: cloud
              tier: edge
            """);

        await RoundTripAsync("site", "sites", "east", "site.yaml",
            json =>
            {
                Assert.Equal("east", json["metadata"]!["labels"]!["region"]!.GetValue<string>());
                Assert.Equal("cloud", json["spec"]!["parent"]!.GetValue<string>());
                Assert.Equal("edge", json["spec"]!["tier"]!.GetValue<string>());
            },
            [@"^Labels:\s+region=east$", @"^  Tier:\s+edge$", @"^  Parent:\s+cloud$"],
            listed => Assert.Equal("edge", ((Site)listed).Spec.Tier));
    }

    [Fact]
    public async Task RoundTrip_Mission()
    {
        _cli.WriteFile("mission.yaml", """
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: cameras}
            spec:
              placement:
                selector:
                  matchExpressions:
                    - {key: fornax.io/tier, operator: In, values: [cloud, region]}
              content:
                - apiVersion: fornax.io/v1
                  kind: ConfigMap
                  metadata: {name: camera-config}
                  data: {fps: "30"}
            """);

        await RoundTripAsync("mission", "missions", "cameras", "mission.yaml",
            json =>
            {
                var expression = json["spec"]!["placement"]!["selector"]!["matchExpressions"]![0]!;
                Assert.Equal(("fornax.io/tier", "In"), (expression["key"]!.GetValue<string>(), expression["operator"]!.GetValue<string>()));
                Assert.Equal("camera-config", json["spec"]!["content"]![0]!["metadata"]!["name"]!.GetValue<string>());
                Assert.Equal("30", json["spec"]!["content"]![0]!["data"]!["fps"]!.GetValue<string>());
            },
            [@"^  Selector:\s+fornax.io/tier in \(cloud,region\)$", @"^  configmap.fornax.io/camera-config$", @"^  cloud\s+Active$"],
            listed => Assert.Equal("camera-config", ((Mission)listed).Spec.Content![0].Metadata.Name),
            beforeDescribe: async () => Assert.Equal(MissionStates.Active, await _site.WaitForMissionStateAsync("cameras")));
    }

    [Fact]
    public async Task RoundTrip_ConfigMap()
    {
        _cli.WriteFile("cm.yaml", """
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata:
              name: settings
              labels: {app: cam}
            data:
              interval: 5s
              batch: "100"
            """);

        await RoundTripAsync("configmap", "configmaps", "settings", "cm.yaml",
            json =>
            {
                Assert.Equal("cam", json["metadata"]!["labels"]!["app"]!.GetValue<string>());
                Assert.Equal(("5s", "100"), (json["data"]!["interval"]!.GetValue<string>(), json["data"]!["batch"]!.GetValue<string>()));
            },
            [@"^Labels:\s+app=cam$", @"^  batch:$", @"^    100$", @"^  interval:$", @"^    5s$"],
            listed => Assert.Equal(new Dictionary<string, string> { ["interval"] = "5s", ["batch"] = "100" }, ((ConfigMap)listed).Data));
    }

    [Fact]
    public async Task RoundTrip_Function_UploadsTheRealModule()
    {
        var module = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "examples", "functions", "hello", "hello.wasm"));
        var digest = FunctionModules.Digest(module);
        Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, "hello"));
        await File.WriteAllBytesAsync(Path.Combine(_cli.WorkingDirectory, "hello", "hello.wasm"), module);
        _cli.WriteFile("hello/function.yaml", """
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {name: hello}
            spec:
              module: hello.wasm
              abi: wagi
              triggers:
                http: {path: /hello, methods: [GET]}
              limits: {memoryMiB: 64, timeout: 5s}
            """);

        await RoundTripAsync("function", "functions", "hello", "hello/function.yaml",
            json =>
            {
                var spec = json["spec"]!;
                Assert.Equal((digest, "wagi"), (spec["module"]!.GetValue<string>(), spec["abi"]!.GetValue<string>()));
                Assert.Equal("/hello", spec["triggers"]!["http"]!["path"]!.GetValue<string>());
                Assert.Equal(["GET"], spec["triggers"]!["http"]!["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
                Assert.Equal((64, "5s"), (spec["limits"]!["memoryMiB"]!.GetValue<int>(), spec["limits"]!["timeout"]!.GetValue<string>()));
            },
            [$@"^  Module:\s+{digest}$", @"^  ABI:\s+wagi$", @"^  HTTP Path:\s+/hello$", @"^  HTTP Methods:\s+GET$", @"^  Memory:\s+64 MiB$"],
            listed => Assert.Equal(digest, ((Function)listed).Spec.Module),
            beforeDescribe: async () => Assert.Equal(module, await _site.BlobAsync(digest)));
    }

    private async Task RoundTripAsync(
        string kind, string plural, string name, string file,
        Action<JsonObject> checkJson, string[] describeLines, Action<FornaxObject> checkListed, Func<Task>? beforeDescribe = null)
    {
        var apply = await _cli.RunAsync("apply", "-f", file, "--site", _site.Url);
        Assert.True(apply.ExitCode == 0, apply.Stderr);
        Assert.Equal([$"{kind}.fornax.io/{name} created"], apply.StdoutLines);

        var get = await _cli.RunAsync("get", kind, name, "-o", "json", "--site", _site.Url);
        Assert.True(get.ExitCode == 0, get.Stderr);
        var json = JsonNode.Parse(get.Stdout)!.AsObject();
        Assert.Equal((Kinds.ApiVersion, Kinds.Get(kind).Kind, name, "default"), (
            json["apiVersion"]!.GetValue<string>(), json["kind"]!.GetValue<string>(),
            json["metadata"]!["name"]!.GetValue<string>(), json["metadata"]!["namespace"]!.GetValue<string>()));
        checkJson(json);

        if (beforeDescribe is not null)
        {
            await beforeDescribe();
        }

        var describe = await _cli.RunAsync("describe", kind, name, "--site", _site.Url);
        Assert.True(describe.ExitCode == 0, describe.Stderr);
        Assert.Matches($"(?m)^Name:\\s+{name}$", describe.Stdout);
        Assert.Matches($"(?m)^Kind:\\s+{Kinds.Get(kind).Kind}$", describe.Stdout);
        foreach (var line in describeLines)
        {
            Assert.Matches("(?m)" + line, describe.Stdout.Replace("\r", "", StringComparison.Ordinal));
        }

        var yaml = await _cli.RunAsync("get", plural, "-o", "yaml", "--site", _site.Url);
        Assert.True(yaml.ExitCode == 0, yaml.Stderr);
        var listed = ObjectSerializer.ParseDocuments(yaml.Stdout).Single(o => o.Metadata.Name == name);
        checkListed(listed);

        var delete = await _cli.RunAsync("delete", kind, name, "--site", _site.Url);
        Assert.True(delete.ExitCode == 0, delete.Stderr);
        Assert.Equal([$"{kind}.fornax.io/{name} deleted"], delete.StdoutLines);

        var gone = await _cli.RunAsync("get", kind, name, "--site", _site.Url);
        Assert.Equal(1, gone.ExitCode);
        Assert.Equal("", gone.Stdout);
        Assert.Contains("not found", gone.Stderr);
        Assert.Null(await _site.FindAsync(plural, name));
    }
}
