using Fornax.Cli.Manifests;

namespace Fornax.Cli.Tests;

public sealed class ApplyTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private FakeSiteApi _site = null!;

    public async Task InitializeAsync() => _site = await FakeSiteApi.StartAsync();

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private const string ThreeDocuments = """
        apiVersion: fornax.io/v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          interval: 5s
        ---
        apiVersion: fornax.io/v1
        kind: Mission
        metadata:
          name: cameras
        spec:
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: camera-config}
              data: {fps: "30"}
        ---
        apiVersion: fornax.io/v1
        kind: ConfigMap
        metadata:
          name: other
          namespace: east
        """;

    [Fact]
    public async Task Apply_MultiDocumentFile_CreatesEveryObject_ThenReportsUnchanged()
    {
        var file = _cli.WriteFile("app.yaml", ThreeDocuments);

        var first = await _cli.RunAsync("apply", "-f", file, "--site", _site.Url);
        var second = await _cli.RunAsync("apply", "-f", "app.yaml", "--site", _site.Url);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(
            ["configmap.fornax.io/settings created", "mission.fornax.io/cameras created", "configmap.fornax.io/other created"],
            first.StdoutLines);
        Assert.Equal("", first.Stderr);
        Assert.NotNull(_site.Find("configmaps", "settings"));
        Assert.NotNull(_site.Find("missions", "cameras"));
        Assert.NotNull(_site.Find("configmaps", "other", ns: "east"));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("configmap.fornax.io/settings unchanged", second.StdoutLines);
    }

    [Fact]
    public async Task Apply_ChangedObject_ReportsConfigured()
    {
        _cli.WriteFile("cm.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: one}\n");
        await _cli.RunAsync("apply", "-f", "cm.yaml", "--site", _site.Url);
        _cli.WriteFile("cm.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: two}\n");

        var result = await _cli.RunAsync("apply", "-f", "cm.yaml", "--site", _site.Url);

        Assert.Equal(["configmap.fornax.io/a configured"], result.StdoutLines);
        Assert.Equal("two", _site.Find("configmaps", "a")!["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_OneInvalidDocument_AppliesNothing_AndNamesTheField()
    {
        var file = _cli.WriteFile("bad.yaml", ThreeDocuments + """

            ---
            apiVersion: fornax.io/v1
            kind: Mission
            metadata:
              name: broken
            spec:
              placement:
                selector:
                  matchExpressions:
                    - {key: fornax.io/tier, operator: Like, values: [edge]}
              content:
                - {apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: x}}
            """);

        var result = await _cli.RunAsync("apply", "-f", file, "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: bad.yaml document 4 (line ", lines[0]);
        Assert.Contains("spec.placement.selector.matchExpressions[0].operator: \"Like\" is not one of In, NotIn, Exists, DoesNotExist", result.Stderr);
        Assert.Equal("  nothing was applied", lines[^1]);
        Assert.Equal(0, _site.Count);
        Assert.DoesNotContain(_site.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_Folder_ReadsYamlAndJsonInNameOrder_AndStdin()
    {
        _cli.WriteFile("dir/b.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: b}\n");
        _cli.WriteFile("dir/a.json", """{"apiVersion":"fornax.io/v1","kind":"ConfigMap","metadata":{"name":"a"}}""");
        _cli.WriteFile("dir/notes.txt", "not a manifest");
        _cli.WriteFile("dir/sub/c.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        _cli.Stdin = "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n";

        var result = await _cli.RunAsync("apply", "-f", "dir", "-f", "-", "--site", _site.Url, "-o", "name");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["configmap.fornax.io/a", "configmap.fornax.io/b", "configmap.fornax.io/from-stdin"], result.StdoutLines);
    }

    [Fact]
    public async Task Apply_FunctionModulePath_UploadsTheBlob_AndSendsTheDigest()
    {
        var module = new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00 };
        Directory.CreateDirectory(Path.Combine(_cli.WorkingDirectory, "app", "build"));
        File.WriteAllBytes(Path.Combine(_cli.WorkingDirectory, "app", "build", "hello.wasm"), module);
        _cli.WriteFile("app/function.yaml", """
            apiVersion: fornax.io/v1
            kind: Function
            metadata: {name: hello}
            spec: {module: build/hello.wasm}
            ---
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: rollout}
            spec:
              content:
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: hello-edge}
                  spec: {module: ./build/hello.wasm, abi: raw}
            """);
        var digest = FunctionModules.Digest(module);

        var result = await _cli.RunAsync("apply", "-f", "app/function.yaml", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("sha256:", digest);
        Assert.Equal(module, _site.Blob(digest));
        Assert.Equal(digest, _site.Find("functions", "hello")!["spec"]!["module"]!.GetValue<string>());
        Assert.Equal(digest, _site.Find("missions", "rollout")!["spec"]!["content"]![0]!["spec"]!["module"]!.GetValue<string>());
        Assert.Single(_site.Requests, r => r == $"PUT /blobs/{digest}");
    }

    [Fact]
    public async Task Apply_MissingModuleFile_AppliesNothing()
    {
        _cli.WriteFile("f.yaml", "apiVersion: fornax.io/v1\nkind: Function\nmetadata: {name: hello}\nspec: {module: missing.wasm}\n");

        var result = await _cli.RunAsync("apply", "-f", "f.yaml", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: f.yaml: Function \"hello\": spec.module: file \"missing.wasm\" not found", result.Stderr);
        Assert.Empty(_site.Requests);
    }

    [Fact]
    public async Task Apply_NamespaceFlag_DisagreeingWithTheFile_IsAnError()
    {
        var file = _cli.WriteFile("app.yaml", ThreeDocuments);

        var result = await _cli.RunAsync("apply", "-f", file, "-n", "west", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ConfigMap \"other\" is in namespace \"east\", which does not match -n west", result.Stderr);
        Assert.Equal(0, _site.Count);
    }

    [Fact]
    public async Task Apply_UnreachableSite_SaysSoInOneLine()
    {
        _cli.WriteFile("cm.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a}\n");
        var url = _site.Url;
        await _site.DisposeAsync();

        var result = await _cli.RunAsync("apply", "-f", "cm.yaml", "--site", url);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: cannot reach site {url}: ", result.Stderr);
    }
}
