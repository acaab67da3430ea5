using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Fornax.Cli.Commands.Tree;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;

namespace Fornax.Cli.Tests;

/// <summary>
/// <c>fornax up</c> / <c>link</c> / <c>down</c> as an operator runs them: every command a real <c>fornax</c> process,
/// every site its own detached <c>fornax node run</c> process, on examples/topologies/chain.yaml.
/// </summary>
public sealed class UpProcessTests : IDisposable
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(300);
    private readonly TempDirectory _temp = new("fornax-up-");

    private string ConfigPath => Path.Combine(Root, "config");

    private string DataDir => Path.Combine(Root, "data");

    /// <summary>The arguments a process runs with, as every local user can read them (<c>ps</c>, <c>/proc/PID/cmdline</c>).</summary>
    private static string[] CommandLineOf(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    private string Root => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Up_ApplyAtRoot_CutAndHeal_Down_LeavesNothingRunning()
    {
        var basePort = FreePorts.Range(16);
        var chain = Path.Combine(AppContext.BaseDirectory, "examples", "topologies", "chain.yaml");
        var shops = Path.Combine(AppContext.BaseDirectory, "examples", "missions", "tree", "shops.yaml");
        List<RunningSiteEntry> recorded = [];
        try
        {
            var up = await FornaxAsync("up", "-f", chain, "--data-dir", DataDir, "--heartbeat", "300ms", "--base-port", basePort.ToString());
            recorded = Config.Load(ConfigPath).Topology?.Sites ?? [];
            Assert.True(up.ExitCode == 0, up.Stdout + up.Stderr);
            Assert.Equal(["a", "b", "c", "d"], recorded.Select(s => s.Name));
            Assert.All(recorded, s => Assert.True(SiteProcesses.IsRunning(s.Pid, s.StartedAt), $"{s.Name} (pid {s.Pid}) is not running"));
            Assert.Contains("└── b region", up.Stdout);
            Assert.Contains($"http://127.0.0.1:{basePort + 12}", up.Stdout); // d's API: the fourth site's first port
            Assert.Contains($"Dashboard: http://127.0.0.1:{basePort}/ui/", up.Stdout); // the root's, printed once it answers
            Assert.Equal("a", Config.Load(ConfigPath).CurrentSite);
            // No secret on a command line (any local user reads it in ps): each child read its join token from a file
            // only its owner can read, removed once the child joined.
            foreach (var site in recorded)
            {
                var args = CommandLineOf(site.Pid);
                Assert.Contains("node", args);
                Assert.DoesNotContain("--token", args);
                Assert.False(File.Exists(Path.Combine(site.DataDir!, "join-token")), $"{site.Name}'s used join token is still on disk");
            }

            Assert.Contains("--token-file", CommandLineOf(recorded[3].Pid));
            await AssertAdvertisesOnlyWhatServesAsync(up.Stdout, recorded[0].Api);
            // Each site's API credentials are in the client config: a user token that site accepts.
            foreach (var name in new[] { "a", "d" })
            {
                var entry = Config.Load(ConfigPath).FindSite(name)!;
                Assert.False(string.IsNullOrEmpty(entry.Token), $"no token recorded for {name}");
                using var check = new HttpClient();
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{entry.Url}/apis/fornax.io/v1/missions");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", entry.Token);
                Assert.True((await check.SendAsync(request)).IsSuccessStatusCode);
                using var wrong = new HttpRequestMessage(HttpMethod.Get, $"{entry.Url}/apis/fornax.io/v1/missions");
                wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", entry.Token + "x");
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await check.SendAsync(wrong)).StatusCode);
            }

            var again = await FornaxAsync("up", "-f", chain, "--data-dir", DataDir);
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("already running", again.Stdout);

            var apply = await FornaxAsync("apply", "-f", shops);
            Assert.True(apply.ExitCode == 0, apply.Stderr);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var a = recorded[0].Api;
            var c = recorded[2].Api;
            Dictionary<string, string> active = new()
            {
                ["a"] = MissionStates.NotMatch,
                ["a/b"] = MissionStates.NotMatch,
                ["a/b/c"] = MissionStates.Active,
                ["a/b/c/d"] = MissionStates.Active,
            };
            await WaitStatesAsync(http, a, active, TimeSpan.FromSeconds(20), "A to show C and D Active, A and B not match");

            // get sites draws the tree from A's Site objects; -o json gives each site's endpoints as URLs.
            var sites = await FornaxAsync("get", "sites");
            Assert.True(sites.ExitCode == 0, sites.Stderr);
            Assert.Contains(sites.Stdout.Split('\n'), l => l.Contains("└── d edge", StringComparison.Ordinal) && l.Contains("● healthy", StringComparison.Ordinal));
            var json = await FornaxAsync("get", "sites", "-o", "json");
            var items = JsonNode.Parse(json.Stdout)!["items"]!.AsArray();
            var endpointsOfD = items.Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "d")!["status"]!["endpoints"]!;
            Assert.Equal(recorded[3].Api, endpointsOfD["api"]!.GetValue<string>());
            Assert.Equal(recorded[3].Ingress, endpointsOfD["ingress"]!.GetValue<string>());

            var cut = await FornaxAsync("link", "cut", "b", "c");
            Assert.True(cut.ExitCode == 0, cut.Stderr);
            await WaitStatesAsync(http, a, new()
            {
                ["a"] = MissionStates.NotMatch,
                ["a/b"] = MissionStates.NotMatch,
                ["a/b/c"] = MissionStates.ClusterOffline,
            }, (Heartbeat * 4) + TimeSpan.FromSeconds(5), "A to show C cluster offline (and D's key removed)");
            Assert.Equal(MissionStates.Active, (await StatesAsync(http, c)).GetValueOrDefault("a/b/c"));

            var notALink = await FornaxAsync("link", "cut", "a", "c");
            Assert.Equal(1, notALink.ExitCode);
            Assert.StartsWith("error: a and c are not linked", notALink.Stderr);

            var heal = await FornaxAsync("link", "heal", "c", "b");
            Assert.True(heal.ExitCode == 0, heal.Stderr);
            await WaitStatesAsync(http, a, active, TimeSpan.FromSeconds(20), "A to show C and D Active again after the heal");

            // kill -9 of a site process, then `fornax up` again: it starts the stopped site alone, on its ports and data,
            // with the heartbeat it was started with (no --heartbeat or --base-port now). Nothing acknowledged is lost.
            var siteC = recorded[2];
            SiteProcesses.Kill(siteC.Pid); // SIGKILL
            await SiteProcesses.WaitGoneAsync(siteC.Pid, siteC.StartedAt, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
            await WaitStatesAsync(http, a, new()
            {
                ["a"] = MissionStates.NotMatch,
                ["a/b"] = MissionStates.NotMatch,
                ["a/b/c"] = MissionStates.ClusterOffline,
            }, (Heartbeat * 4) + TimeSpan.FromSeconds(5), "A to show the killed C cluster offline");
            // A file that no longer matches what runs is refused, and nothing is started.
            var renamed = Path.Combine(Root, "chain-renamed.yaml");
            await File.WriteAllTextAsync(renamed, (await File.ReadAllTextAsync(chain)).Replace("- name: d", "- name: e", StringComparison.Ordinal));
            var mismatch = await FornaxAsync("up", "-f", renamed, "--data-dir", DataDir);
            Assert.Equal(1, mismatch.ExitCode);
            Assert.Contains("topology chain is running with other sites than", mismatch.Stderr);
            Assert.False(SiteProcesses.IsRunning(siteC.Pid, siteC.StartedAt));
            Assert.Equal(siteC.Pid, Config.Load(ConfigPath).Topology!.FindSite("c")!.Pid);

            var upAgain = await FornaxAsync("up", "-f", chain, "--data-dir", DataDir);
            Assert.True(upAgain.ExitCode == 0, upAgain.Stdout + upAgain.Stderr);
            Assert.Contains("running with 3 of 4 sites; starting c again", upAgain.Stdout);
            var restartedC = Config.Load(ConfigPath).Topology!.FindSite("c")!;
            Assert.NotEqual(siteC.Pid, restartedC.Pid);
            Assert.True(SiteProcesses.IsRunning(restartedC.Pid, restartedC.StartedAt), "the restarted c is not running");
            // c has joined already: no token is minted for it, none is passed.
            Assert.DoesNotContain(CommandLineOf(restartedC.Pid), a => a.StartsWith("--token", StringComparison.Ordinal));
            Assert.All(recorded.Where(s => s.Name != "c"), s => Assert.True(SiteProcesses.IsRunning(s.Pid, s.StartedAt), $"{s.Name} was restarted or stopped"));
            var arguments = (await File.ReadAllTextAsync($"/proc/{restartedC.Pid}/cmdline")).Split('\0');
            Assert.Equal("300ms", arguments[Array.IndexOf(arguments, "--heartbeat") + 1]);
            await WaitStatesAsync(http, a, active, TimeSpan.FromSeconds(30), "A to show C and D Active again after C's restart");
            Assert.Equal(MissionStates.Active, (await StatesAsync(http, c)).GetValueOrDefault("a/b/c"));
            var delivered = await http.GetFromJsonAsync<JsonObject>($"{c}/apis/fornax.io/v1/namespaces/default/configmaps/shop-config");
            Assert.Equal("1", delivered?["data"]?["version"]?.GetValue<string>());
            recorded = Config.Load(ConfigPath).Topology!.Sites;

            var down = await FornaxAsync("down");
            Assert.True(down.ExitCode == 0, down.Stdout + down.Stderr);
            Assert.All(recorded, s => Assert.False(SiteProcesses.IsRunning(s.Pid, s.StartedAt), $"{s.Name} (pid {s.Pid}) still runs after down"));
            Assert.Null(Config.Load(ConfigPath).Topology);
            Assert.True(Directory.Exists(Path.Combine(DataDir, "d")), "down without --purge keeps the data");
        }
        finally
        {
            // Whatever failed, leave no site behind (a site `up` restarted is in the config's record).
            foreach (var site in recorded.Concat(Config.Load(ConfigPath).Topology?.Sites ?? []).Where(s => SiteProcesses.IsRunning(s.Pid, s.StartedAt)))
            {
                SiteProcesses.Kill(site.Pid);
            }
        }
    }

    private static async Task<Dictionary<string, string>> StatesAsync(HttpClient http, string api)
    {
        using var response = await http.GetAsync($"{api}/apis/fornax.io/v1/namespaces/default/missions/shops");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return [];
        }

        var mission = await response.Content.ReadFromJsonAsync<JsonObject>();
        return mission?["status"]?["state"] is JsonObject states ? states.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) : [];
    }

    /// <summary>
    /// <c>fornax up</c> advertises a port or URL only once something serves it: the RESP column only when the sites
    /// report a RESP endpoint, the dashboard line only when the root answers <c>GET /ui/</c> with 200.
    /// </summary>
    private static async Task AssertAdvertisesOnlyWhatServesAsync(string stdout, string rootApi)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var site = JsonNode.Parse(await http.GetStringAsync($"{rootApi}/api/site"));
        var servesResp = site?["endpoints"]?["resp"] is not null;
        using var ui = await http.GetAsync($"{rootApi}/ui/");
        var servesDashboard = ui.StatusCode == System.Net.HttpStatusCode.OK;
        Assert.DoesNotContain("later issue", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("(reserved)", stdout, StringComparison.Ordinal);
        Assert.Equal(servesResp, stdout.Contains("RESP", StringComparison.Ordinal));
        Assert.Equal(servesDashboard, stdout.Contains("Dashboard:", StringComparison.Ordinal));
    }

    private static async Task WaitStatesAsync(HttpClient http, string api, Dictionary<string, string> expected, TimeSpan deadline, string what)
    {
        var until = DateTime.UtcNow + deadline;
        var states = new Dictionary<string, string>();
        while (DateTime.UtcNow < until)
        {
            states = await StatesAsync(http, api);
            if (states.Count == expected.Count && expected.All(e => states.GetValueOrDefault(e.Key) == e.Value))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"timed out after {deadline.TotalSeconds:0.#}s waiting for {what}; last seen: {string.Join(", ", states.Select(s => $"{s.Key}={s.Value}"))}");
    }

    /// <summary>Runs <c>fornax</c> (the fornax.dll beside the tests) as its own process with this test's config file.</summary>
    private async Task<CliResult> FornaxAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fornax.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[Config.EnvironmentVariable] = ConfigPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fornax {string.Join(' ', args)} did not finish within 3 minutes");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
