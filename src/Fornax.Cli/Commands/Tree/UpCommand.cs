using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Fornax.Cli.Commands.Node;
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
                site.UserToken = await CreateTokenAsync(site, """{"user":true,"description":"fornax up"}""", http, linked);
            }
        }, ct);

        Record(config, configPath, topology, file, dataDir, heartbeat, plan);
        Print(topology, plan, heartbeat, await ServesDashboardAsync(plan.First(p => p.Parent is null), http, ct));
        return ExitCodes.Success;
    }

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
                    await StartAsync(site, heartbeat, http, linked.Token);
                    started.Add(site);
                }

                foreach (var site in level)
                {
                    await WaitLinkedAsync(site, http, linked.Token);
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
        catch (Exception e) when (e is OperationCanceledException or CliException or HttpRequestException)
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

    /// <summary>One site of the plan: its ports and folder from the file order, then what starting it found out.</summary>
    private sealed class PlannedSite(TopologySite spec, PlannedSite? parent, int index, int basePort, string dataDir)
    {
        public TopologySite Spec { get; } = spec;

        public PlannedSite? Parent { get; } = parent;

        /// <summary>A user token for this site's API, recorded in the client config.</summary>
        public string? UserToken { get; set; }

        public string Path { get; } = parent is null ? spec.Name : $"{parent.Path}/{spec.Name}";

        public int Depth { get; } = parent is null ? 0 : parent.Depth + 1;

        public int ApiPort { get; } = basePort + (index * PortsPerSite);

        public int IngressPort => ApiPort + 1;

        public int RespPort => ApiPort + 2;

        /// <summary>The RESP endpoint the site reports in <c>/api/site</c> (null while it serves none: nothing is printed for it).</summary>
        public string? ServedResp { get; set; }

        public int LinkPort => ApiPort + 3;

        public string Api => $"http://127.0.0.1:{ApiPort}";

        public string DataDir { get; } = System.IO.Path.Combine(dataDir, spec.Name);

        public string LogFile => System.IO.Path.Combine(DataDir, "node.log");

        public Process? Process { get; set; }

        public int Pid { get; set; }

        public DateTimeOffset? StartedAt { get; set; }

        public bool Waiting { get; set; }

        public string WaitingFor { get; set; } = "";
    }

    private static List<PlannedSite> Plan(Topology topology, int basePort, string dataDir)
    {
        var specs = topology.Spec.Sites!;
        var planned = new Dictionary<string, PlannedSite>();
        // Parents before children, ports by file order (validation guarantees a tree).
        while (planned.Count < specs.Count)
        {
            foreach (var (spec, index) in specs.Select((s, i) => (s, i)))
            {
                if (planned.ContainsKey(spec.Name) || (spec.Parent is { Length: > 0 } p && !planned.ContainsKey(p)))
                {
                    continue;
                }

                var site = new PlannedSite(spec, spec.Parent is { Length: > 0 } parent ? planned[parent] : null, index, basePort, dataDir);
                planned[spec.Name] = site;
            }
        }

        return [.. specs.Select(s => planned[s.Name])];
    }

    private static IEnumerable<List<PlannedSite>> Levels(List<PlannedSite> plan) =>
        plan.GroupBy(s => s.Depth).OrderBy(g => g.Key).Select(g => g.ToList());

    private static void CheckDataDirectoriesFree(IEnumerable<PlannedSite> sites)
    {
        foreach (var site in sites)
        {
            var pidFile = System.IO.Path.Combine(site.DataDir, NodeCommand.PidFileName);
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && SiteProcesses.IsRunning(pid, null) && IsFornax(pid))
            {
                throw new CliException($"site {site.Spec.Name}'s data directory {site.DataDir} is in use by process {pid}; stop it first");
            }
        }
    }

    private static void CheckPortsFree(IReadOnlyCollection<PlannedSite> plan, int basePort)
    {
        foreach (var site in plan)
        {
            foreach (var (what, port) in new[] { ("API", site.ApiPort), ("ingress", site.IngressPort), ("RESP", site.RespPort), ("link", site.LinkPort) })
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    throw new CliException(
                        $"port {port} (the {what} port of site {site.Spec.Name}) is in use on 127.0.0.1",
                        [$"the sites take {PortsPerSite} ports each from {basePort}; pick another base with --base-port or spec.basePort"]);
                }
            }
        }
    }

    private async Task StartAsync(PlannedSite site, string? heartbeat, HttpClient http, CancellationToken ct)
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

        if (heartbeat is not null)
        {
            args.AddRange(["--heartbeat", heartbeat]);
        }

        if (site.Parent is { } parent)
        {
            site.Waiting = true;
            site.WaitingFor = $"a join token from {parent.Spec.Name}";
            var token = await CreateJoinTokenAsync(parent, http, ct);
            args.AddRange(["--join", parent.Api, "--token", token, "--emulate-uplink"]);
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

    private static Task<string> CreateJoinTokenAsync(PlannedSite parent, HttpClient http, CancellationToken ct) =>
        CreateTokenAsync(parent, """{"ttl":"10m"}""", http, ct);

    private static async Task<string> CreateTokenAsync(PlannedSite parent, string request, HttpClient http, CancellationToken ct)
    {
        using var response = await http.PostAsync($"{parent.Api}/api/tokens", new StringContent(request, System.Text.Encoding.UTF8, "application/json"), ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new CliException($"site {parent.Spec.Name} refused a token ({(int)response.StatusCode}): {body}");
        }

        return JsonNode.Parse(body)?["token"]?.GetValue<string>() ?? throw new CliException($"site {parent.Spec.Name} answered without a token");
    }

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

    private static bool IsFornax(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("node\0run", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private void Record(Config config, string configPath, Topology topology, string file, string dataDir, string? heartbeat, List<PlannedSite> plan)
    {
        // Reload: another command may have written the config while the sites started.
        var fresh = Config.Load(configPath);
        var entry = new TopologyEntry
        {
            Name = topology.Metadata.Name,
            DataDir = dataDir,
            File = file,
            Heartbeat = heartbeat,
            PreviousCurrentSite = config.Topology is null ? fresh.CurrentSite : config.Topology.PreviousCurrentSite,
            Sites = [.. plan.OrderBy(p => p.Depth).Select(p => new RunningSiteEntry
            {
                Name = p.Spec.Name,
                Parent = p.Parent?.Spec.Name,
                Tier = p.Spec.Tier,
                Api = p.Api,
                Ingress = $"http://127.0.0.1:{p.IngressPort}",
                Resp = $"redis://127.0.0.1:{p.RespPort}",
                Link = $"https://127.0.0.1:{p.LinkPort}",
                Pid = p.Pid,
                StartedAt = p.StartedAt,
                DataDir = p.DataDir,
            })],
        };
        fresh.Topology = entry;
        foreach (var site in plan)
        {
            fresh.SetSite(new SiteEntry { Name = site.Spec.Name, Url = site.Api, Token = site.UserToken });
        }

        fresh.CurrentSite = plan.First(p => p.Parent is null).Spec.Name;
        fresh.Save(configPath);
    }

    /// <summary>Drops a topology's record: its site entries (those still pointing at its URLs) and the current site it set.</summary>
    internal static void Forget(Config config, TopologyEntry recorded)
    {
        foreach (var site in recorded.Sites)
        {
            if (config.FindSite(site.Name) is { } entry && entry.Url.TrimEnd('/') == site.Api.TrimEnd('/'))
            {
                config.Sites.Remove(entry);
            }
        }

        if (config.CurrentSite is { } current && config.FindSite(current) is null)
        {
            config.CurrentSite = recorded.PreviousCurrentSite is { } previous && config.FindSite(previous) is not null ? previous : null;
        }

        config.Topology = null;
    }

    /// <summary>Whether the root serves the web dashboard (<c>GET /ui/</c> answers 200): its URL is printed only then.</summary>
    private static async Task<bool> ServesDashboardAsync(PlannedSite root, HttpClient http, CancellationToken ct) =>
        await DashboardUrl.WhenServingAsync(http, root.Api, ct) is not null;

    private void Print(Topology topology, List<PlannedSite> plan, string? heartbeat, bool dashboard)
    {
        var console = _context.Out;
        var root = plan.First(p => p.Parent is null);
        console.WriteLine();
        var tree = new Spectre.Console.Tree(Label(root));
        AddChildren(tree.AddNode, root, plan);
        console.Write(tree);
        console.WriteLine();

        var table = new Table().Border(TableBorder.None);
        // A port is listed only once it serves: the RESP column appears when a site reports its RESP endpoint.
        var resp = plan.Any(p => p.ServedResp is not null);
        foreach (var header in new[] { "SITE", "PATH", "API", "INGRESS", "RESP", "LINK", "PID" }.Where(h => resp || h != "RESP"))
        {
            table.AddColumn(new TableColumn(new Text(header)) { Padding = new Padding(0, 0, 3, 0), NoWrap = true });
        }

        foreach (var site in plan)
        {
            var cells = new List<string> { site.Spec.Name, site.Path, site.Api, $"http://127.0.0.1:{site.IngressPort}" };
            if (resp)
            {
                cells.Add(site.ServedResp ?? "");
            }

            cells.AddRange([$"127.0.0.1:{site.LinkPort}", site.Pid.ToString(CultureInfo.InvariantCulture)]);
            table.AddRow([.. cells.Select(c => new Text(c))]);
        }

        console.Write(table);
        console.WriteLine();
        console.MarkupLine($"Heartbeat {Markup.Escape(heartbeat ?? "5s")}; logs in {Markup.Escape(Shown(System.IO.Path.GetDirectoryName(root.DataDir)!))}/<site>/node.log");
        if (dashboard)
        {
            console.MarkupLine($"Dashboard: {Markup.Escape(root.Api)}/ui/ [grey](the whole tree, live; every site serves its own subtree's at <api>/ui/)[/]");
        }

        console.MarkupLine($"Current site is now [bold]{Markup.Escape(root.Spec.Name)}[/]; pick another with --site NAME. Next:");
        var leaf = plan.OrderByDescending(p => p.Depth).First();
        foreach (var (command, what) in new[]
        {
            ("fornax get sites", "the tree as the root sees it"),
            ("fornax apply -f mission.yaml", "a mission at the root"),
            ("fornax get missions -o wide", "one state column per site path"),
            (leaf.Parent is null ? "fornax link cut A B" : $"fornax link cut {leaf.Parent.Spec.Name} {leaf.Spec.Name}", "cut a link (heal it with 'fornax link heal')"),
            ("fornax down", "stop every site (data stays; --purge deletes it)"),
        })
        {
            console.MarkupLine($"   [aqua]{Markup.Escape(command.PadRight(34))}[/] [grey]# {Markup.Escape(what)}[/]");
        }
    }

    private static void AddChildren(Func<string, TreeNode> add, PlannedSite parent, List<PlannedSite> plan)
    {
        foreach (var child in plan.Where(p => p.Parent == parent))
        {
            var node = add(Label(child));
            AddChildren(node.AddNode, child, plan);
        }
    }

    private static string Label(PlannedSite site)
    {
        var tier = site.Spec.Tier ?? (site.Parent is null ? SiteTiers.Cloud : "");
        var link = LinkText(site.Spec.Link, "  [grey]link ", "[/]");
        return $"[bold]{Markup.Escape(site.Spec.Name)}[/] [grey]{Markup.Escape(tier)}[/]  {Markup.Escape(site.Api)}{link}";
    }

    private static string LinkText(LinkProfile? link, string before, string after)
    {
        if (link is null)
        {
            return "";
        }

        var parts = new List<string>();
        if (link.Latency is { } latency)
        {
            parts.Add(latency);
        }

        if (link.Bandwidth is { } bandwidth)
        {
            parts.Add(bandwidth);
        }

        if (link.Loss is { } loss and > 0)
        {
            parts.Add($"{loss.ToString("0.###", CultureInfo.InvariantCulture)} loss");
        }

        return parts.Count == 0 ? "" : before + Markup.Escape(string.Join(", ", parts)) + after;
    }

    private static int Width(List<PlannedSite> plan) => plan.Max(p => p.Spec.Name.Length);

    private string Shown(string path)
    {
        var relative = System.IO.Path.GetRelativePath(_context.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative) ? path : relative;
    }
}
