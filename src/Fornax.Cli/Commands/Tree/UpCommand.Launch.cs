using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Fornax.Cli.Api;
using Fornax.Cli.Commands.Node;
using Fornax.Hierarchy.Identity;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;


/// <summary>Launching: the sites level by level, each child with a join token from its parent.</summary>
internal sealed partial class UpCommand
{
    /// <summary>
    /// Starts <paramref name="toStart"/> level by level (parents first), each child joined to its parent, until every
    /// one is linked, the root sees every site of <paramref name="plan"/> healthy and <paramref name="then"/> has run.
    /// On a failure or the timeout it stops the sites it started and says what it was waiting for.
    /// </summary>
    private async Task StartSitesAsync(string name, List<PlannedSite> plan, IReadOnlyCollection<PlannedSite> toStart, string? heartbeat, TimeSpan deadline, HttpClient http, Func<CancellationToken, Task>? then, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(deadline, _context.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var started = new List<PlannedSite>();
        try
        {
            foreach (var level in Levels(plan).Select(l => l.Where(toStart.Contains).ToList()).Where(l => l.Count > 0))
            {
                foreach (var site in level)
                {
                    await StartAsync(site, heartbeat, linked.Token);
                    started.Add(site);
                }

                foreach (var site in level)
                {
                    await WaitLinkedAsync(site, http, linked.Token);
                    // Used up once the site joined: nothing to keep.
                    File.Delete(site.JoinTokenFile);
                    var joined = site.Parent is null ? "root, holds the tree CA" : $"joined {site.Parent.Spec.Name} through a link emulator{LinkText(site.Spec.Link, " (", ")")}";
                    _context.Out.MarkupLine($"  [green]✓[/] {Markup.Escape(site.Spec.Name.PadRight(Width(plan)))} pid {site.Pid,-7} {Markup.Escape(site.Api)}  [grey]{Markup.Escape(joined)}[/]");
                }
            }

            await WaitRootSeesAllAsync(plan, http, linked.Token);
            if (then is not null)
            {
                await then(linked.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or CliException or ApiException or HttpRequestException)
        {
            foreach (var site in started)
            {
                SiteProcesses.Kill(site.Pid);
            }

            foreach (var site in started)
            {
                await SiteProcesses.WaitGoneAsync(site.Pid, site.StartedAt, TimeSpan.FromSeconds(10), _context.Time, CancellationToken.None);
            }

            if (e is OperationCanceledException && timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                var waiting = plan.FirstOrDefault(p => p.Waiting) ?? plan[0];
                throw new CliException(
                    $"topology {name} was not up within {deadline.TotalSeconds:0}s: still waiting for {waiting.WaitingFor}; stopped the sites it had started",
                    [.. LogTail(waiting)]);
            }

            if (e is CliException cli)
            {
                throw new CliException(cli.Message + "; stopped the sites it had started", [.. cli.Details]);
            }

            throw;
        }
    }

    private async Task StartAsync(PlannedSite site, string? heartbeat, CancellationToken ct)
    {
        Directory.CreateDirectory(site.DataDir);
        var args = new List<string>(_context.FornaxCommand)
        {
            "node", "run",
            "--data-dir", site.DataDir,
            "--name", site.Spec.Name,
            "--host", "127.0.0.1",
            "--api-port", site.ApiPort.ToString(CultureInfo.InvariantCulture),
            "--ingress-port", site.IngressPort.ToString(CultureInfo.InvariantCulture),
            "--resp-port", site.RespPort.ToString(CultureInfo.InvariantCulture),
            "--link-port", site.LinkPort.ToString(CultureInfo.InvariantCulture),
        };
        if (site.Spec.Tier is { } tier)
        {
            args.AddRange(["--tier", tier]);
        }

        foreach (var (key, value) in site.Spec.Labels ?? [])
        {
            args.AddRange(["--label", $"{key}={value}"]);
        }

        if (site.Spec.AllowCommands == true)
        {
            args.Add("--allow-commands");
        }

        if (site.Spec.Capacity is { } capacity)
        {
            args.AddRange(["--capacity", capacity.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (heartbeat is not null)
        {
            args.AddRange(["--heartbeat", heartbeat]);
        }

        if (site.Parent is { } parent)
        {
            args.AddRange(["--join", parent.Api, "--emulate-uplink"]);
            // A site that has joined (its certificate and its parent's address are on its disk) needs no token again.
            if (!File.Exists(ParentInfo.FileOf(site.DataDir)))
            {
                site.Waiting = true;
                site.WaitingFor = $"a join token from {parent.Spec.Name}";
                var token = await CreateTokenAsync(parent, JoinTokenTtl, user: false, ct);
                // In a file only its owner reads, not on the command line, where every local user sees it (ps).
                WriteSecretFile(site.JoinTokenFile, token);
                args.AddRange(["--token-file", site.JoinTokenFile]);
            }

            if (site.Spec.Link is { } link)
            {
                AddIf(args, "--uplink-latency", link.Latency);
                AddIf(args, "--uplink-bandwidth", link.Bandwidth);
                AddIf(args, "--uplink-loss", link.Loss?.ToString(CultureInfo.InvariantCulture));
            }
        }

        // A stale pid file from a crash would be mistaken for the new process's.
        File.Delete(System.IO.Path.Combine(site.DataDir, NodeCommand.PidFileName));
        site.Process = SiteProcesses.StartDetached(args, site.LogFile, _context.CurrentDirectory);
        site.Pid = site.Process.Id;
        site.StartedAt = SiteProcesses.StartTime(site.Pid);
    }

    private static void AddIf(List<string> args, string flag, string? value)
    {
        if (value is not null)
        {
            args.AddRange([flag, value]);
        }
    }

    /// <summary>A join token lives until the child joins; a few minutes cover a slow start.</summary>
    private const string JoinTokenTtl = "10m";

    /// <summary><c>POST /api/tokens</c> at <paramref name="site"/>: a join token, or a user token for its API.</summary>
    private async Task<string> CreateTokenAsync(PlannedSite site, string? ttl, bool user, CancellationToken ct)
    {
        using var client = _sites.Connect(new SiteTarget(site.Api, site.Spec.Name));
        var issued = await client.CreateTokenAsync(ttl, user, ct, description: "fornax up");
        return issued["token"]?.GetValue<string>() ?? throw new CliException($"site {site.Spec.Name} answered without a token");
    }

    /// <summary>Writes <paramref name="secret"/> to a new file readable by its owner only (0600) from the first byte.</summary>
    private static void WriteSecretFile(string path, string secret)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(new FileStream(path, options));
        writer.WriteLine(secret);
    }
}
