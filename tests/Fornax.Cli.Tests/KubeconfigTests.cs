using System.Diagnostics;
using Fornax.Cli.Configuration;
using Fornax.Core.Serialization;

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
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_cli.WorkingDirectory, "kube.yaml")));
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

        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["--kubeconfig", Path.Combine(_cli.WorkingDirectory, "kube.yaml"), "--context", "east", "--cache-dir", Path.Combine(_cli.Root, "kube-cache"), "get", "sites", "-o", "name"])
        {
            start.ArgumentList.Add(arg);
        }

        using var kubectl = Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var error = kubectl.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await kubectl.WaitForExitAsync(deadline.Token);

        Assert.True(kubectl.ExitCode == 0, await error);
        Assert.Equal("site.fornax.io/east\n", await output);
    }
}
