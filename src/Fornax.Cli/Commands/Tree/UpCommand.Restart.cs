using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

using Config = Fornax.Cli.Configuration.Config;

/// <summary>
/// <c>fornax up</c> again while some sites of the running topology have stopped (killed, crashed): it starts those
/// again on their recorded ports and data, with the heartbeat they were started with, and leaves the running ones alone,
/// as <c>docker compose up</c> does. A restarted site keeps its identity and store; it links again by itself.
/// </summary>
internal sealed partial class UpCommand
{
    private async Task<int> RestartStoppedAsync(Topology topology, string file, string? heartbeatOption, TopologyEntry recorded, string configPath, TimeSpan deadline, CancellationToken ct)
    {
        var name = topology.Metadata.Name;
        var specs = topology.Spec.Sites!;
        if (!specs.Select(s => s.Name).Order(StringComparer.Ordinal).SequenceEqual(recorded.Sites.Select(s => s.Name).Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            throw new CliException(
                $"topology {name} is running with other sites than {Shown(file)} lists now; 'fornax down' first to start it as the file says",
                [$"running: {string.Join(", ", recorded.Sites.Select(s => s.Name))}", $"in the file: {string.Join(", ", specs.Select(s => s.Name))}"]);
        }

        // The ports it was started with, whatever --base-port says now: the running sites and the client config use them.
        var first = recorded.FindSite(specs[0].Name)!;
        var basePort = new Uri(first.Api).Port;
        var plan = Plan(topology, basePort, recorded.DataDir!);
        foreach (var site in plan)
        {
            var entry = recorded.FindSite(site.Spec.Name)!;
            if (!string.Equals(entry.Api.TrimEnd('/'), site.Api, StringComparison.Ordinal) || entry.Parent != site.Parent?.Spec.Name)
            {
                throw new CliException($"site {site.Spec.Name} runs at {entry.Api} under {entry.Parent ?? "no parent"}, but {Shown(file)} now puts it at {site.Api} under {site.Parent?.Spec.Name ?? "no parent"}; 'fornax down' first to start the topology as the file says");
            }

            site.Pid = entry.Pid;
            site.StartedAt = entry.StartedAt;
        }

        var stopped = plan.Where(p => !SiteProcesses.IsRunning(p.Pid, p.StartedAt)).ToList();
        CheckDataDirectoriesFree(stopped);
        CheckPortsFree(stopped, basePort);
        var heartbeat = heartbeatOption ?? recorded.Heartbeat ?? topology.Spec.Heartbeat;
        _context.Out.MarkupLine($"Topology [bold]{Markup.Escape(name)}[/] is running with {plan.Count - stopped.Count} of {plan.Count} sites; starting {Markup.Escape(string.Join(", ", stopped.Select(s => s.Spec.Name)))} again (same ports and data)");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await StartSitesAsync(name, plan, stopped, heartbeat, deadline, http, then: null, ct);

        // Reload: another command may have written the config meanwhile. The sites keep their API tokens (stored at each site).
        var fresh = Config.Load(configPath);
        if (fresh.Topology is { } entryNow && entryNow.Name == name)
        {
            foreach (var site in stopped)
            {
                if (entryNow.FindSite(site.Spec.Name) is { } running)
                {
                    running.Pid = site.Pid;
                    running.StartedAt = site.StartedAt;
                }
            }

            fresh.Save(configPath);
        }

        _context.Out.MarkupLine($"All {plan.Count} sites of [bold]{Markup.Escape(name)}[/] are up; the root sees every one healthy.");
        return ExitCodes.Success;
    }
}
