using System.CommandLine;
using System.Diagnostics;
using Fornax.Cli.Configuration;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

using Config = Fornax.Cli.Configuration.Config;

/// <summary>
/// <c>fornax up -f topology.yaml [--data-dir DIR] [--heartbeat 1s]</c>: every site of a <see cref="Topology"/> as its
/// own detached <c>fornax node run</c> process on 127.0.0.1, root first, each child joined to its parent with a join
/// token and dialling it through a link emulator with its link profile; returns when every site is linked and the
/// root sees all of them healthy, and records the running topology in the client config.
/// </summary>
internal sealed partial class UpCommand : Command
{
    /// <summary>API, ingress, RESP, link: the ports each site takes from the base, in file order.</summary>
    public const int PortsPerSite = 4;

    public const int DefaultBasePort = 7100;

    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Option<string> _file = new("--filename", "-f") { Description = "The topology file (kind: Topology)", Required = true };
    private readonly Option<string> _dataDir = new("--data-dir") { Description = "Folder for the sites' data, one subfolder per site (default ./.fornax/<topology name>)" };
    private readonly Option<string> _heartbeat = new("--heartbeat") { Description = "Heartbeat interval of every site, e.g. 500ms (overrides the topology's spec.heartbeat; default 5s)" };
    private readonly Option<int?> _basePort = new("--base-port") { Description = $"First port (overrides spec.basePort; default {DefaultBasePort}); each site takes {PortsPerSite}" };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds to wait for every site to be up and linked", DefaultValueFactory = _ => 120 };

    public UpCommand(CliContext context, SiteTargets sites)
        : base("up", "Start every site of a topology as its own process on this machine, joined into a tree")
    {
        _context = context;
        _sites = sites;
        Options.Add(_file);
        Options.Add(_dataDir);
        Options.Add(_heartbeat);
        Options.Add(_basePort);
        Options.Add(_timeout);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var file = Path.GetFullPath(parse.GetValue(_file)!, _context.CurrentDirectory);
        var topology = ReadTopology(file);
        var name = topology.Metadata.Name;
        var heartbeat = parse.GetValue(_heartbeat) ?? topology.Spec.Heartbeat;
        if (heartbeat is not null && (!Durations.TryParse(heartbeat, out var hb) || hb <= TimeSpan.Zero))
        {
            throw new CliException($"--heartbeat {heartbeat}: not a positive duration like 5s or 500ms");
        }

        var basePort = parse.GetValue(_basePort) ?? topology.Spec.BasePort ?? DefaultBasePort;
        var sites = topology.Spec.Sites!;
        if (basePort < 1024 || basePort + (sites.Count * PortsPerSite) > 65535)
        {
            throw new CliException($"--base-port {basePort}: the {sites.Count * PortsPerSite} ports from it must lie between 1024 and 65535");
        }

        var dataDir = Path.GetFullPath(parse.GetValue(_dataDir) ?? Path.Combine(".fornax", name), _context.CurrentDirectory);
        var configPath = _sites.ConfigPath;
        var config = Config.Load(configPath);
        if (config.Topology is { } recorded)
        {
            var running = recorded.Sites.Where(s => SiteProcesses.IsRunning(s.Pid, s.StartedAt)).ToList();
            if (running.Count > 0)
            {
                if (recorded.Name == name && recorded.DataDir == dataDir && running.Count < recorded.Sites.Count)
                {
                    // Some of its sites stopped (killed, crashed): start those again, as `docker compose up` would.
                    return await RestartStoppedAsync(topology, file, parse.GetValue(_heartbeat), recorded, configPath, TimeSpan.FromSeconds(parse.GetValue(_timeout)), ct);
                }

                if (recorded.Name == name && recorded.DataDir == dataDir)
                {
                    _context.Out.MarkupLine($"topology [bold]{Markup.Escape(name)}[/] is already running ({running.Count} of {recorded.Sites.Count} sites; root {Markup.Escape(recorded.Sites[0].Name)} at {Markup.Escape(recorded.Sites[0].Api)}); 'fornax down' stops it");
                    return ExitCodes.Success;
                }

                throw new CliException(
                    $"topology \"{recorded.Name}\" is already running ({running.Count} sites, data in {recorded.DataDir}); stop it with 'fornax down' first",
                    [$"recorded in {configPath}"]);
            }

            _context.Error.MarkupLine($"[grey]note: the recorded topology \"{Markup.Escape(recorded.Name ?? "")}\" is no longer running; replacing its record[/]");
            Forget(config, recorded);
        }

        var plan = Plan(topology, basePort, dataDir);
        CheckPortsFree(plan, basePort);
        CheckDataDirectoriesFree(plan);
        var console = _context.Out;
        console.MarkupLine($"Starting topology [bold]{Markup.Escape(name)}[/] ({sites.Count} sites) from {Markup.Escape(Shown(file))}; data in {Markup.Escape(Shown(dataDir))}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await StartSitesAsync(name, plan, plan, heartbeat, TimeSpan.FromSeconds(parse.GetValue(_timeout)), http, async linked =>
        {
            // Credentials for each site's API, so the client config works from other addresses too (the API trusts
            // loopback only); a user token is valid at the site that made it.
            foreach (var site in plan)
            {
                site.UserToken = await CreateTokenAsync(site, ttl: null, user: true, linked);
            }
        }, ct);

        Record(config, configPath, topology, file, dataDir, heartbeat, plan);
        Print(topology, plan, heartbeat, await ServesDashboardAsync(plan.First(p => p.Parent is null), http, ct));
        return ExitCodes.Success;
    }

    private Topology ReadTopology(string file)
    {
        if (!File.Exists(file))
        {
            throw new CliException($"topology file {file} does not exist");
        }

        var documents = ObjectSerializer.ParseDocuments(File.ReadAllText(file), Shown(file));
        if (documents.Count != 1 || documents[0] is not Topology topology)
        {
            throw new CliException($"{Shown(file)}: expected one object of kind Topology, found {(documents.Count == 0 ? "none" : string.Join(", ", documents.Select(d => d.Kind)))}");
        }

        return topology;
    }

    private string Shown(string path)
    {
        var relative = System.IO.Path.GetRelativePath(_context.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative) ? path : relative;
    }
}
