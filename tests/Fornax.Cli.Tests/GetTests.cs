using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Cli.Tests;

public sealed class GetTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Created = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TestCli _cli = new();
    private RealSite _site = null!;

    public async Task InitializeAsync()
    {
        // The site stamps creation times from its clock; the CLI's clock is 5 minutes later, so every AGE reads 5m.
        _site = await RealSite.StartAsync("cloud", time: new FakeTimeProvider(Created));
        _cli.Time = new FakeTimeProvider(Created + TimeSpan.FromMinutes(5));
        await _site.ApplyAsync("""
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata: {name: alpha, labels: {tier: edge, app: cam}}
            data: {a: v, b: v}
            ---
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata: {name: beta, labels: {tier: edge, app: x}}
            data: {a: v}
            ---
            apiVersion: fornax.io/v1
            kind: ConfigMap
            metadata: {name: gamma, labels: {tier: cloud}}
            ---
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: cameras}
            spec:
              content:
                # Delivered into its own namespace, so the config maps of "default" stay the three above.
                - {apiVersion: fornax.io/v1, kind: ConfigMap, metadata: {name: c, namespace: cameras}, data: {k: v}}
            """);

        // This site (cloud) reports Active itself; the states of its children arrive as their reports would.
        Assert.Equal(MissionStates.Active, await _site.WaitForMissionStateAsync("cameras"));
        await _site.AddMissionStatesAsync("cameras", new Dictionary<string, string>
        {
            ["cloud/east"] = MissionStates.Active,
            ["cloud/west"] = MissionStates.NotMatch,
        });
    }

    public async Task DisposeAsync() => await _site.DisposeAsync();

    public void Dispose() => _cli.Dispose();

    private static string[][] Cells(CliResult result) =>
        result.StdoutLines.Select(l => l.Split("   ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    [Fact]
    public async Task Get_Table_PrintsKindColumnsAndAge()
    {
        var result = await _cli.RunAsync("get", "cm", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [["NAME", "DATA", "AGE"], ["alpha", "2", "5m"], ["beta", "1", "5m"], ["gamma", "0", "5m"]],
            Cells(result));
    }

    [Fact]
    public async Task Get_MissionTable_And_Wide_ShowStates()
    {
        var table = await _cli.RunAsync("get", "missions", "--site", _site.Url);
        var wide = await _cli.RunAsync("get", "ms", "-o", "wide", "--site", _site.Url);

        Assert.Equal(
            [["NAME", "TARGETS", "ACTIVE", "STATE", "AGE"], ["cameras", "3", "2", "2 Active, 1 not match", "5m"]],
            Cells(table));
        Assert.Equal(
            [
                ["NAME", "TARGETS", "ACTIVE", "STATE", "AGE", "CLOUD", "CLOUD/EAST", "CLOUD/WEST"],
                ["cameras", "3", "2", "2 Active, 1 not match", "5m", "Active", "Active", "not match"],
            ],
            Cells(wide));
    }

    [Fact]
    public async Task Get_Json_OneObjectIsTheObject_AndAListIsTheListObject()
    {
        var one = await _cli.RunAsync("get", "configmap", "alpha", "-o", "json", "--site", _site.Url);
        var list = await _cli.RunAsync("get", "configmaps", "-o", "json", "--site", _site.Url);

        var obj = JsonNode.Parse(one.Stdout)!;
        Assert.Equal("ConfigMap", obj["kind"]!.GetValue<string>());
        Assert.Equal("alpha", obj["metadata"]!["name"]!.GetValue<string>());
        var items = JsonNode.Parse(list.Stdout)!;
        Assert.Equal("ConfigMapList", items["kind"]!.GetValue<string>());
        Assert.Equal(["alpha", "beta", "gamma"], items["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Get_Json_PutsTheEnvelopeFirst_AndKeepsTimestampsReadable()
    {
        var result = await _cli.RunAsync("get", "ms", "cameras", "-o", "json", "--site", _site.Url);

        Assert.Equal(["apiVersion", "kind", "metadata", "spec", "status"], JsonNode.Parse(result.Stdout)!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("\\u002B", result.Stdout);
    }

    [Fact]
    public async Task Get_UnknownOption_IsAUsageError_NotAName()
    {
        var result = await _cli.RunAsync("get", "ms", "--bogus", "--site", _site.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("--bogus", result.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task Get_Yaml_IsMultiDocumentYaml_ThatReadsBack()
    {
        var result = await _cli.RunAsync("get", "cm", "-o", "yaml", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        var objects = ObjectSerializer.ParseDocuments(result.Stdout);
        Assert.Equal(["alpha", "beta", "gamma"], objects.Select(o => o.Metadata.Name));
        Assert.Equal(2, ((ConfigMap)objects[0]).Data!.Count);
    }

    [Fact]
    public async Task Get_Selector_FiltersByLabels()
    {
        var result = await _cli.RunAsync("get", "cm", "-l", "tier=edge,app!=x", "-o", "name", "--site", _site.Url);
        var set = await _cli.RunAsync("get", "cm", "-l", "tier in (edge, cloud),!app", "-o", "name", "--site", _site.Url);

        Assert.Equal(["configmap.fornax.io/alpha"], result.StdoutLines);
        Assert.Equal(["configmap.fornax.io/gamma"], set.StdoutLines);
    }

    [Fact]
    public async Task Get_UnknownKind_IsAnErrorListingTheKinds()
    {
        var result = await _cli.RunAsync("get", "pods", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("error: unknown kind \"pods\" (known: sites (st), missions (ms), configmaps (cm), functions (fn), keyspaces (ks), services (svc))\n", result.Stderr);
    }

    [Fact]
    public async Task Get_MissingObject_IsNotFoundAtTheSite()
    {
        var result = await _cli.RunAsync("get", "mission", "x", "--site", _site.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: mission \"x\" not found at site {_site.Url}\n", result.Stderr);
    }

    [Fact]
    public async Task Get_EmptyList_SaysSoOnStderr()
    {
        var result = await _cli.RunAsync("get", "functions", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("No resources found in default namespace.\n", result.Stderr);
    }

    [Fact]
    public async Task Get_WithoutKind_IsAUsageError()
    {
        var result = await _cli.RunAsync("get");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("see 'fornax get --help'", result.Stderr);
    }

    [Fact]
    public async Task Describe_Mission_ShowsPlacementContentAndEachSiteState()
    {
        var result = await _cli.RunAsync("describe", "mission", "cameras", "--site", _site.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^Name:\s+cameras$", result.Stdout);
        Assert.Matches(@"(?m)^  Selector:\s+<none>$", result.Stdout);
        Assert.Contains("  configmap.fornax.io/c", result.StdoutLines);
        Assert.Matches(@"(?m)^  cloud/west\s+not match$", result.Stdout);
        Assert.Matches(@"(?m)^Observed Generation:\s+1$", result.Stdout);
    }
}
