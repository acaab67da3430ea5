using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Cli.Commands.Node;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;


/// <summary>Polling: until each site serves and is linked, and the root sees every site healthy.</summary>
internal sealed partial class UpCommand
{
    /// <summary>Polls the site's <c>/api/site</c> until it serves and (below the root) its uplink is connected.</summary>
    private async Task WaitLinkedAsync(PlannedSite site, HttpClient http, CancellationToken ct)
    {
        site.Waiting = true;
        site.WaitingFor = site.Parent is null ? $"site {site.Spec.Name} to serve its API at {site.Api}" : $"site {site.Spec.Name} to join {site.Parent.Spec.Name} and connect its uplink";
        while (true)
        {
            if (site.Process is { HasExited: true } exited)
            {
                throw new CliException($"site {site.Spec.Name} exited with code {exited.ExitCode} while starting", [.. LogTail(site)]);
            }

            try
            {
                using var response = await http.GetAsync($"{site.Api}/api/site", ct);
                if (response.IsSuccessStatusCode)
                {
                    var info = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
                    site.ServedResp = info?["endpoints"]?["resp"]?.GetValue<string>();
                    if (site.Parent is null || info?["uplink"]?.GetValue<string>() == "connected")
                    {
                        break;
                    }
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // One slow answer; ask again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), _context.Time, ct);
        }

        // The pid of the site itself (the shell execs setsid, which execs the site: normally the same pid).
        var pidFile = System.IO.Path.Combine(site.DataDir, NodeCommand.PidFileName);
        if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile, ct)).Trim(), CultureInfo.InvariantCulture, out var pid) && pid != site.Pid)
        {
            site.Pid = pid;
            site.StartedAt = SiteProcesses.StartTime(pid);
        }

        site.Waiting = false;
    }

    /// <summary>Waits until the root's Site objects show every site healthy (heartbeats carry the subtree up a level each).</summary>
    private async Task WaitRootSeesAllAsync(List<PlannedSite> plan, HttpClient http, CancellationToken ct)
    {
        var root = plan.First(p => p.Parent is null);
        root.Waiting = true;
        while (true)
        {
            var healthy = new HashSet<string>();
            try
            {
                using var response = await http.GetAsync($"{root.Api}/apis/fornax.io/v1/namespaces/default/sites", ct);
                if (response.IsSuccessStatusCode && JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))?["items"] is JsonArray items)
                {
                    foreach (var item in items)
                    {
                        if (item?["status"]?["healthy"]?.GetValue<bool>() == true && item["status"]?["path"]?.GetValue<string>() is { } path)
                        {
                            healthy.Add(path);
                        }
                    }
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            var missing = plan.Where(p => !healthy.Contains(p.Path)).Select(p => p.Path).ToList();
            if (missing.Count == 0)
            {
                root.Waiting = false;
                return;
            }

            root.WaitingFor = $"the root {root.Spec.Name} to see {string.Join(", ", missing)} healthy (heartbeats carry the subtree up)";
            await Task.Delay(TimeSpan.FromMilliseconds(100), _context.Time, ct);
        }
    }

    private static IEnumerable<string> LogTail(PlannedSite site)
    {
        if (!File.Exists(site.LogFile))
        {
            return [$"no log at {site.LogFile}"];
        }

        var lines = File.ReadAllLines(site.LogFile);
        return [$"last lines of {site.LogFile}:", .. lines.TakeLast(8).Select(l => "  " + l)];
    }
}
