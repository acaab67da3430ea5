using Fornax.Cli.Configuration;
using Fornax.Core.Serialization;
using Fornax.Testing.Kubectl;

namespace Fornax.Cli.Tests;

public sealed class KubeconfigTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Kubeconfig_Topology_OneContextPerSite_TokenOnlyOffLoopback()
    {
        new Config
        {
            CurrentSite = "cloud",
            Sites =
            [
                new SiteEntry { Name = "cloud", Url = "http://127.0.0.1:7100", Token = "loopback-token" },
                new SiteEntry { Name = "east", Url = "https://10.0.0.5:7104", Token = "east-token", CaFile = "/tree/ca.pem" },
            ],
            Topology = new TopologyEntry
            {
                Name = "demo",
                Sites = [new RunningSiteEntry { Name = "cloud", Api = "http://127.0.0.1:7100" }, new RunningSiteEntry { Name = "east", Parent = "cloud", Api = "https://10.0.0.5:7104" }],
            },
        }.Save(_cli.ConfigPath);

        var result = await _cli.RunAsync("kubeconfig", "--topology", "--out", "kube.yaml");
        var written = YamlJson.Parse(File.ReadAllText(Path.Combine(_cli.WorkingDirectory, "kube.yaml")))[0].Node!;

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["cloud", "east"], written["contexts"]!.AsArray().Select(c => c!["name"]!.ToString()));
        Assert.Equal("cloud", written["current-context"]!.ToString());
        var clusters = written["clusters"]!.AsArray();
        Assert.Equal("http://127.0.0.1:7100", clusters[0]!["cluster"]!["server"]!.ToString());
        Assert.Equal("/tree/ca.pem", clusters[1]!["cluster"]!["certificate-authority"]!.ToString());
        var users = written["users"]!.AsArray();
        Assert.Null(users[0]!["user"]!["token"]);
        Assert.Equal("east-token", users[1]!["user"]!["token"]!.ToString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_cli.WorkingDirectory, "kube.yaml")));
        }
    }

    [Fact]
    public async Task Kubeconfig_NoTopology_RefusedWithWhatToDo()
    {
        var result = await _cli.RunAsync("kubeconfig", "--topology");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no running topology in the config (start one with fornax up)", result.Stderr);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Kubeconfig_ContextPerSite_KubectlAsksThatSite()
    {
        await using var cloud = await RealSite.StartAsync("cloud");
        await using var east = await RealSite.StartAsync("east");
        new Config
        {
            Topology = new TopologyEntry { Sites = [new RunningSiteEntry { Name = "cloud", Api = cloud.Url }, new RunningSiteEntry { Name = "east", Api = east.Url }] },
        }.Save(_cli.ConfigPath);
        Assert.Equal(0, (await _cli.RunAsync("kubeconfig", "--topology", "--out", "kube.yaml")).ExitCode);

        using var kubectl = new KubectlRunner(null);
        var result = await kubectl.RunAsync("", "--kubeconfig", Path.Combine(_cli.WorkingDirectory, "kube.yaml"), "--context", "east", "get", "sites", "-o", "name");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("site.fornax.io/east\n", result.Out);
    }
}
