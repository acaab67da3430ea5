using Fornax.Cli.Configuration;
using Fornax.Core.Objects;

namespace Fornax.Cli.Tests;

public sealed class ConfigTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void SaveThenLoad_RoundTrips_AndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_cli.Home, ".fornax", "config");
        var config = new Config
        {
            CurrentSite = "east",
            Sites =
            [
                new SiteEntry { Name = "cloud", Url = "https://10.0.0.1:7100", Token = "secret", CaFile = "/ca.pem", ClientCert = "/me.pem" },
                new SiteEntry { Name = "east", Url = "http://127.0.0.1:7103" },
            ],
            Topology = new TopologyEntry { Name = "demo", DataDir = "/var/fornax/demo" },
        };

        config.Save(path);
        config.Save(path);
        var loaded = Config.Load(path);

        Assert.Equal("east", loaded.CurrentSite);
        Assert.Equal(["cloud", "east"], loaded.Sites.Select(s => s.Name));
        Assert.Equal(("secret", "/ca.pem", "/me.pem"), (loaded.Sites[0].Token, loaded.Sites[0].CaFile, loaded.Sites[0].ClientCert));
        Assert.Equal(("demo", "/var/fornax/demo"), (loaded.Topology!.Name, loaded.Topology.DataDir));
        Assert.Equal(["config"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Load_MissingFile_IsEmpty() =>
        Assert.Empty(Config.Load(Path.Combine(_cli.Root, "none")).Sites);

    [Fact]
    public void Load_UnknownFieldOrBadUrl_NamesTheFileAndField()
    {
        var path = _cli.WriteFile("bad-config", "sites:\n  - name: a\n    url: http://x\n    tokn: t\n");
        var badUrl = _cli.WriteFile("bad-url", "currentSite: b\nsites:\n  - name: a\n    url: ftp://x\n");

        var unknown = Assert.Throws<CliException>(() => Config.Load(path));
        var url = Assert.Throws<CliException>(() => Config.Load(badUrl));

        Assert.StartsWith($"config file {path}: sites[0].tokn", unknown.Message);
        Assert.Equal($"config file {badUrl}: sites[0].url: \"ftp://x\" is not an http:// or https:// URL", url.Message);
        Assert.Equal(["currentSite: \"b\" is not one of the sites (a)"], url.Details);
    }

    [Fact]
    public async Task Site_ByName_FromTheConfig_AndCurrentSiteByDefault()
    {
        await using var east = await FakeSiteApi.StartAsync("east");
        await using var west = await FakeSiteApi.StartAsync("west");
        east.Seed(new ConfigMap { Metadata = new ObjectMeta { Name = "at-east" } });
        west.Seed(new ConfigMap { Metadata = new ObjectMeta { Name = "at-west" } });
        new Config
        {
            CurrentSite = "west",
            Sites = [new SiteEntry { Name = "east", Url = east.Url }, new SiteEntry { Name = "west", Url = west.Url }],
        }.Save(_cli.ConfigPath);

        var byName = await _cli.RunAsync("get", "cm", "--site", "east", "-o", "name");
        var byDefault = await _cli.RunAsync("get", "cm", "-o", "name");
        var beforeCommand = await _cli.RunAsync("--site", "east", "get", "cm", "-o", "name");

        Assert.Equal(["configmap.fornax.io/at-east"], byName.StdoutLines);
        Assert.Equal(["configmap.fornax.io/at-west"], byDefault.StdoutLines);
        Assert.Equal(["configmap.fornax.io/at-east"], beforeCommand.StdoutLines);
    }

    [Fact]
    public async Task Site_FromFornaxConfigVariable()
    {
        await using var site = await FakeSiteApi.StartAsync();
        site.Seed(new ConfigMap { Metadata = new ObjectMeta { Name = "here" } });
        var path = Path.Combine(_cli.Root, "elsewhere.yaml");
        new Config { CurrentSite = "s", Sites = [new SiteEntry { Name = "s", Url = site.Url }] }.Save(path);
        _cli.Environment[Config.EnvironmentVariable] = path;

        var result = await _cli.RunAsync("get", "cm", "-o", "name");

        Assert.Equal(["configmap.fornax.io/here"], result.StdoutLines);
    }

    [Fact]
    public async Task Site_UnknownName_IsAnErrorListingTheKnownOnes()
    {
        new Config { Sites = [new SiteEntry { Name = "east", Url = "http://127.0.0.1:1" }] }.Save(_cli.ConfigPath);

        var result = await _cli.RunAsync("get", "cm", "--site", "north");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: site \"north\" is not in the config {_cli.ConfigPath} (known: east)", result.Stderr);
    }

    [Fact]
    public void Site_NothingConfigured_IsTheLocalDefault()
    {
        var targets = new SiteTargets(
            new CliContext { Out = null!, Error = null!, HomeDirectory = _cli.Home, CurrentDirectory = _cli.WorkingDirectory },
            new System.CommandLine.Option<string>("--site"));

        Assert.Equal("http://127.0.0.1:7100", targets.Resolve((string?)null).Url);
        Assert.Equal("https://h:1", targets.Resolve("https://h:1").Url);
    }

    [Fact]
    public async Task ConfigCommands_SetSite_UseSite_View()
    {
        var set = await _cli.RunAsync("config", "set-site", "east", "--url", "http://127.0.0.1:7103", "--token", "t0k3n");
        var setWest = await _cli.RunAsync("config", "set-site", "west", "--url", "http://127.0.0.1:7106");
        var use = await _cli.RunAsync("config", "use-site", "west");
        var view = await _cli.RunAsync("config", "view");
        var missing = await _cli.RunAsync("config", "use-site", "north");

        Assert.Equal(["site \"east\" set to http://127.0.0.1:7103 (current)"], set.StdoutLines);
        Assert.Equal(0, setWest.ExitCode);
        Assert.Equal(["switched to site \"west\" (http://127.0.0.1:7106)"], use.StdoutLines);
        Assert.Equal("west", Config.Load(_cli.ConfigPath).CurrentSite);
        Assert.Contains("token: REDACTED", view.Stdout);
        Assert.DoesNotContain("t0k3n", view.Stdout);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: site \"north\" is not in the config", missing.Stderr);
    }
}
