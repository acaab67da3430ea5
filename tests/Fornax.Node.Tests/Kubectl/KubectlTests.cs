using Fornax.Testing;
using Fornax.Testing.Kubectl;

namespace Fornax.Node.Tests.Kubectl;

/// <summary>Debian's kubectl against a real site on port 0.</summary>
[Trait("Category", "Slow")]
public sealed class KubectlTests
{
    private const string Mission = """
        apiVersion: fornax.io/v1
        kind: Mission
        metadata:
          name: greeting
          labels: {app: shop}
        spec:
          placement:
            sites: [solo]
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: hello}
              data: {greeting: hello}
        """;

    [Fact]
    public async Task Kubectl_Discovery_ListsEveryKindWithShortNamesAndCategory()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);

        var resources = await kubectl.OkAsync("api-resources", "--api-group=fornax.io", "-o", "wide");
        var versions = await kubectl.OkAsync("api-versions");

        Assert.Contains("fornax.io/v1", versions);
        Assert.Matches(@"missions\s+ms\s+fornax.io/v1\s+true\s+Mission\s+create,delete,deletecollection,get,list,patch,update,watch\s+fornax", resources);
        Assert.Matches(@"sites\s+st\s+fornax.io/v1\s+true\s+Site", resources);
        Assert.Matches(@"configmaps\s+cm\s+fornax.io/v1", resources);
    }

    [Fact]
    public async Task Kubectl_ApplyTwice_CreatesThenReportsUnchangedThenConfigured()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);

        var created = await kubectl.OkWithInputAsync(Mission, "apply", "-f", "-");
        var unchanged = await kubectl.OkWithInputAsync(Mission, "apply", "-f", "-");
        var configured = await kubectl.OkWithInputAsync(Mission.Replace("greeting: hello", "greeting: hi", StringComparison.Ordinal), "apply", "-f", "-");

        Assert.Equal("mission.fornax.io/greeting created\n", created);
        Assert.Equal("mission.fornax.io/greeting unchanged\n", unchanged);
        Assert.Equal("mission.fornax.io/greeting configured\n", configured);
        var yaml = await kubectl.OkAsync("get", "mission", "greeting", "-o", "yaml");
        Assert.Contains("greeting: hi", yaml);
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", yaml);
    }

    [Fact]
    public async Task Kubectl_ServerSideApplyTwice_CreatesThenKeepsAndOwnsFields()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);

        var created = await kubectl.OkWithInputAsync(Mission, "apply", "--server-side", "-f", "-");
        var again = await kubectl.OkWithInputAsync(Mission, "apply", "--server-side", "-f", "-");
        var other = await kubectl.RunAsync(Mission.Replace("sites: [solo]", "sites: [other]", StringComparison.Ordinal), "apply", "--server-side", "--field-manager", "someone-else", "-f", "-");

        Assert.Equal("mission.fornax.io/greeting serverside-applied\n", created);
        Assert.Equal("mission.fornax.io/greeting serverside-applied\n", again);
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("conflict with \"kubectl\"", other.Err);
        Assert.Contains(".spec.placement.sites", other.Err);
        var yaml = await kubectl.OkAsync("get", "mission", "greeting", "-o", "yaml", "--show-managed-fields");
        Assert.Contains("manager: kubectl", yaml);
        Assert.Contains("- solo", yaml);
    }

    [Fact]
    public async Task Kubectl_GetTableLabelsPatchDelete_ReadLikeFornaxGet()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);
        await kubectl.OkWithInputAsync(Mission, "apply", "-f", "-");
        await kubectl.OkWithInputAsync(Mission.Replace("name: greeting", "name: other", StringComparison.Ordinal).Replace("app: shop", "app: office", StringComparison.Ordinal), "apply", "-f", "-");

        var table = await kubectl.OkAsync("get", "missions");
        var byLabel = await kubectl.OkAsync("get", "ms", "-l", "app=shop", "-o", "name");
        var all = await kubectl.OkAsync("get", "fornax", "-o", "name");
        var patched = await kubectl.OkAsync("patch", "mission", "greeting", "--type", "merge", "-p", """{"metadata":{"labels":{"app":"office"}}}""");
        var afterPatch = await kubectl.OkAsync("get", "ms", "-l", "app=office", "-o", "name");
        var badPatch = await kubectl.RunAsync("", "patch", "mission", "greeting", "--type", "merge", "-p", """{"spec":{"placement":{"sites":["Not A Site"]}}}""");
        var missingPath = await kubectl.RunAsync("", "patch", "mission", "greeting", "--type", "json", "-p", """[{"op":"replace","path":"/spec/nothing/here","value":1}]""");
        var dryDelete = await kubectl.OkAsync("delete", "mission", "other", "--dry-run=server");
        var afterDryDelete = await kubectl.OkAsync("get", "missions", "-o", "name");
        var deleted = await kubectl.OkAsync("delete", "mission", "other");
        var remaining = await kubectl.OkAsync("get", "missions", "-o", "name");

        Assert.Matches(@"^NAME\s+TARGETS\s+ACTIVE\s+STATE\s+AGE\n", table);
        Assert.Matches(@"\ngreeting\s+\d+\s+\d+\s+", table);
        Assert.Equal("mission.fornax.io/greeting\n", byLabel);
        Assert.Contains("mission.fornax.io/other", all);
        Assert.Contains("site.fornax.io/solo", all);
        Assert.Equal("mission.fornax.io/greeting patched\n", patched);
        Assert.Equal("mission.fornax.io/greeting\nmission.fornax.io/other\n", afterPatch);
        Assert.NotEqual(0, badPatch.ExitCode);
        Assert.Contains("spec.placement.sites[0]", badPatch.Err);
        Assert.NotEqual(0, missingPath.ExitCode);
        Assert.Contains("operation 0 (replace /spec/nothing/here): the path does not exist", missingPath.Err);
        Assert.Equal("mission.fornax.io \"other\" deleted (server dry run)\n", dryDelete);
        Assert.Equal("mission.fornax.io/greeting\nmission.fornax.io/other\n", afterDryDelete);
        Assert.Equal("mission.fornax.io \"other\" deleted\n", deleted);
        Assert.Equal("mission.fornax.io/greeting\n", remaining);
    }

    [Fact]
    public async Task Kubectl_ApplyUnknownField_IsRefusedClientSideNamingTheField()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);

        var unknown = await kubectl.RunAsync(Mission.Replace("    sites: [solo]", "    sites: [solo]\n    zone: x", StringComparison.Ordinal), "apply", "-f", "-");
        var wrongType = await kubectl.RunAsync(Mission.Replace("sites: [solo]", "sites: 3", StringComparison.Ordinal), "apply", "-f", "-");

        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("zone", unknown.Err);
        Assert.NotEqual(0, wrongType.ExitCode);
        Assert.Contains("sites", wrongType.Err);
        Assert.Equal("", (await kubectl.OkAsync("get", "missions", "-o", "name")).Trim());
    }

    [Fact]
    public async Task Kubectl_Explain_DescribesFieldsFromDocComments()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);

        var explained = await kubectl.OkAsync("explain", "mission.spec.placement");

        Assert.Contains("Which sites of the subtree get the mission", explained);
        Assert.Contains("sites", explained);
        Assert.Contains("selector", explained);
    }

    [Fact]
    public async Task Kubectl_GetWatch_SeesAChange()
    {
        await using var site = await TestSite.StartAsync();
        using var kubectl = new KubectlRunner(site.Node.Endpoints.Api);
        await kubectl.OkWithInputAsync(Mission, "apply", "-f", "-");

        using var watch = kubectl.Stream("get", "missions", "-w", "-o", "name");
        await Poll.UntilAsync(() => Task.FromResult(watch.Output.Contains("mission.fornax.io/greeting", StringComparison.Ordinal)), "the watch to print the mission");
        await kubectl.OkAsync("label", "mission", "greeting", "seen=yes");

        // kubectl -o name prints each event's object; the label change is the second line.
        await Poll.UntilAsync(() => Task.FromResult(watch.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2), "the watch to print the change");
        Assert.Equal(["mission.fornax.io/greeting", "mission.fornax.io/greeting"], watch.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
