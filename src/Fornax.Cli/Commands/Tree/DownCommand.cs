using System.CommandLine;
using Fornax.Cli.Configuration;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

using Config = Fornax.Cli.Configuration.Config;

/// <summary>
/// <c>fornax down [--purge]</c>: stops every site process <c>fornax up</c> recorded (SIGTERM, SIGKILL after a
/// deadline), waits until none is left, and clears the record. The data stays unless <c>--purge</c>.
/// </summary>
internal sealed class DownCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Option<bool> _purge = new("--purge") { Description = "Also delete the topology's data directory" };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds a site may take to stop cleanly before it is killed", DefaultValueFactory = _ => 15 };

    public DownCommand(CliContext context, SiteTargets sites)
        : base("down", "Stop every site 'fornax up' started")
    {
        _context = context;
        _sites = sites;
        Options.Add(_purge);
        Options.Add(_timeout);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var configPath = _sites.ConfigPath;
        var config = Config.Load(configPath);
        if (config.Topology is not { } recorded)
        {
            _context.Out.MarkupLine($"no topology is running (none recorded in {Markup.Escape(configPath)})");
            return ExitCodes.Success;
        }

        var console = _context.Out;
        var running = recorded.Sites.Where(s => SiteProcesses.IsRunning(s.Pid, s.StartedAt)).ToList();
        console.MarkupLine($"Stopping topology [bold]{Markup.Escape(recorded.Name ?? "")}[/] ({running.Count} of {recorded.Sites.Count} sites running)");

        // Leaves first, so no parent spends its last seconds marking children offline.
        foreach (var site in Enumerable.Reverse(running))
        {
            SiteProcesses.Terminate(site.Pid);
        }

        var deadline = TimeSpan.FromSeconds(parse.GetValue(_timeout));
        var stubborn = new List<RunningSiteEntry>();
        foreach (var site in Enumerable.Reverse(running))
        {
            if (await SiteProcesses.WaitGoneAsync(site.Pid, site.StartedAt, deadline, _context.Time, ct))
            {
                console.MarkupLine($"  [green]✓[/] {Markup.Escape(site.Name)} stopped [grey](pid {site.Pid})[/]");
            }
            else
            {
                stubborn.Add(site);
            }
        }

        foreach (var site in stubborn)
        {
            SiteProcesses.Kill(site.Pid);
            var gone = await SiteProcesses.WaitGoneAsync(site.Pid, site.StartedAt, TimeSpan.FromSeconds(10), _context.Time, ct);
            console.MarkupLine(gone
                ? $"  [yellow]![/] {Markup.Escape(site.Name)} did not stop within {deadline.TotalSeconds:0}s: killed [grey](pid {site.Pid})[/]"
                : $"  [red]✗[/] {Markup.Escape(site.Name)} is still running after SIGKILL [grey](pid {site.Pid})[/]");
            if (!gone)
            {
                throw new CliException($"site {site.Name} (pid {site.Pid}) did not stop; the record stays in {configPath} so 'fornax down' can try again");
            }
        }

        // Reload: only this topology's part of the config is ours to change.
        var fresh = Config.Load(configPath);
        UpCommand.Forget(fresh, fresh.Topology ?? recorded);
        fresh.Save(configPath);

        if (parse.GetValue(_purge) && recorded.DataDir is { } dataDir && Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
            console.MarkupLine($"Deleted {Markup.Escape(dataDir)}");
        }
        else if (recorded.DataDir is { } kept)
        {
            console.MarkupLine($"[grey]The data stays in {Markup.Escape(kept)} ('fornax up' resumes from it; 'fornax down --purge' deletes it)[/]");
        }

        return ExitCodes.Success;
    }
}
