using Fornax.Cli.Manifests;

namespace Fornax.Cli.Tests;

public sealed class ApplyTests : IAsyncLifetime, IDisposable
{
    private readonly TestCli _cli = new();
    private RealSite _site = null!;

    public async Task InitializeAsync() => _site = await RealSite.StartAsync();

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
        Assert.NotNull(await _site.FindAsync("configmaps", "settings"));
        Assert.NotNull(await _site.FindAsync("missions", "cameras"));
        Assert.NotNull(await _site.FindAsync("configmaps", "other", ns: "east"));
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
        Assert.Equal("two", (await _site.FindAsync("configmaps", "a"))!["data"]!["k"]!.GetValue<string>());
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
        var before = await _site.WrittenObjectsAsync();

        var result = await _cli.RunAsync("apply", "-f", file, "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: bad.yaml document 4 (line ", lines[0]);
        Assert.Contains("spec.placement.selector.matchExpressions[0].operator: \"Like\" is not one of In, NotIn, Exists, DoesNotExist", result.Stderr);
        Assert.Equal("  nothing was applied", lines[^1]);
        Assert.Empty(await _site.AppliedObjectsAsync());
        Assert.Equal(before, await _site.WrittenObjectsAsync());
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
    public async Task Apply_FolderWhoseSecondFileIsInvalid_AppliesNothing()
    {
        _cli.WriteFile("dir/1-good.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: first}\ndata: {k: v}\n");
        _cli.WriteFile("dir/2-bad.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: Not_A_Name}\n");
        _cli.WriteFile("dir/3-good.yaml", "apiVersion: fornax.io/v1\nkind: Mission\nmetadata: {name: third}\nspec:\n  content: [{apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: x}}]\n");
        var before = await _site.WrittenObjectsAsync();

        var result = await _cli.RunAsync("apply", "-f", "dir", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains("2-bad.yaml", lines[0]);
        Assert.Contains("metadata.name", result.Stderr);
        Assert.Equal("  nothing was applied", lines[^1]);
        Assert.Empty(await _site.AppliedObjectsAsync());
        Assert.Equal(before, await _site.WrittenObjectsAsync());
    }

    [Fact]
    public async Task Apply_StaleResourceVersion_IsAConflict_AndLeavesTheObjectAsItWas()
    {
        _cli.WriteFile("cm.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: one}\n");
        await _cli.RunAsync("apply", "-f", "cm.yaml", "--site", _site.Url);
        var read = long.Parse((await _site.FindAsync("configmaps", "a"))!["metadata"]!["resourceVersion"]!.ToString());
        _cli.WriteFile("cm.yaml", "apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: two}\n");
        await _cli.RunAsync("apply", "-f", "cm.yaml", "--site", _site.Url);
        var stored = (await _site.FindAsync("configmaps", "a"))!;
        // Written from the first read: someone else has changed the object since.
        _cli.WriteFile("stale.yaml", $"apiVersion: fornax.io/v1\nkind: ConfigMap\nmetadata: {{name: a, resourceVersion: {read}}}\ndata: {{k: three}}\n");

        var result = await _cli.RunAsync("apply", "-f", "stale.yaml", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("409 Conflict", line);
        Assert.Contains($"resourceVersion {read} is stale", line);
        Assert.Equal(stored.ToJsonString(), (await _site.FindAsync("configmaps", "a"))!.ToJsonString());
    }

    [Fact]
    public async Task Apply_FunctionModulePath_UploadsTheBlob_AndSendsTheDigest()
    {
        // A real module: the site compiles every Function's module at apply time.
        var module = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "examples", "functions", "hello", "hello.wasm"));
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
                  spec: {module: ./build/hello.wasm}
            """);
        var digest = FunctionModules.Digest(module);

        var result = await _cli.RunAsync("apply", "-f", "app/function.yaml", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("sha256:", digest);
        Assert.Equal(module, await _site.BlobAsync(digest));
        Assert.Equal(digest, (await _site.FindAsync("functions", "hello"))!["spec"]!["module"]!.GetValue<string>());
        Assert.Equal(digest, (await _site.FindAsync("missions", "rollout"))!["spec"]!["content"]![0]!["spec"]!["module"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_MissingModuleFile_AppliesNothing()
    {
        _cli.WriteFile("f.yaml", "apiVersion: fornax.io/v1\nkind: Function\nmetadata: {name: hello}\nspec: {module: missing.wasm}\n");
        var before = await _site.WrittenObjectsAsync();

        var result = await _cli.RunAsync("apply", "-f", "f.yaml", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: f.yaml: Function \"hello\": spec.module: file \"missing.wasm\" not found", result.Stderr);
        Assert.Empty(await _site.AppliedObjectsAsync());
        Assert.Equal(before, await _site.WrittenObjectsAsync());
    }

    [Fact]
    public async Task Apply_NamespaceFlag_DisagreeingWithTheFile_IsAnError()
    {
        var file = _cli.WriteFile("app.yaml", ThreeDocuments);

        var result = await _cli.RunAsync("apply", "-f", file, "-n", "west", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ConfigMap \"other\" is in namespace \"east\", which does not match -n west", result.Stderr);
        Assert.Empty(await _site.AppliedObjectsAsync());
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
