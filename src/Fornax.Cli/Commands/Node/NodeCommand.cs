using System.CommandLine;
using Fornax.Core.Objects;
using Fornax.Core.Validation;
using Fornax.Node.Hosting;
using Spectre.Console;

namespace Fornax.Cli.Commands.Node;

/// <summary><c>fornax node run</c>: this process becomes a site until Ctrl-C or SIGTERM.</summary>
internal sealed class NodeCommand : Command
{
    private readonly CliContext _context;
    private readonly Option<string> _dataDir = new("--data-dir") { Description = "The site's folder (objects, blobs, KV data); deleting it resets the site" };
    private readonly Option<string> _config = new("--config") { Description = "A site config file (YAML): keys are the option names, e.g. name, apiPort, labels" };
    private readonly Option<string> _name = new("--name") { Description = "The site's name" };
    private readonly Option<string> _host = new("--host") { Description = "The address every listener binds to (default 127.0.0.1)" };
    private readonly Option<int?> _apiPort = new("--api-port") { Description = "API port (default 7100; 0 picks a free port)" };
    private readonly Option<int?> _ingressPort = new("--ingress-port") { Description = "Ingress port (default 7101; 0 picks a free port)" };
    private readonly Option<int?> _respPort = new("--resp-port") { Description = "RESP (KV) port (default 7102; 0 picks a free port)" };
    private readonly Option<string?> _durability = new("--durability") { Description = "when a KV write is on disk before its reply: always, everysec (default) or none" };
    private readonly Option<bool?> _allowCommands = new("--allow-commands") { Description = "Run command missions at this site", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool?> _trustLoopback = new("--trust-loopback") { Description = "Let loopback clients use the API without a token (default true; false asks every client for one)", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<string[]> _labels = new("--label") { Description = "A site label KEY=VALUE (repeatable)" };
    private readonly Option<string> _tier = new("--tier") { Description = $"The site's tier: {string.Join(", ", SiteTiers.All)}" };
    private readonly Option<long?> _maxBodyBytes = new("--max-body-bytes") { Description = "Largest API request body accepted (bytes)" };
    private readonly Option<string> _join = new("--join") { Description = "The parent's API URL to join, e.g. http://127.0.0.1:7100 (not at the root)" };
    private readonly Option<string> _token = new("--token") { Description = "The join token from 'fornax token create' at the parent (needed only the first time); on a command line other local users can read it (ps): prefer --token-file" };
    private readonly Option<string> _tokenFile = new("--token-file") { Description = "A file (mode 0600) whose first line is the join token; read only when the site joins" };
    private readonly Option<int?> _linkPort = new("--link-port") { Description = "Link port children dial (mutual TLS, HTTP/2; default 0 = a free port)" };
    private readonly Option<string> _heartbeat = new("--heartbeat") { Description = "Heartbeat interval to the parent and expected from children, e.g. 5s or 500ms (default 5s)" };
    private readonly Option<int?> _capacity = new("--capacity") { Description = "Concurrency slots for function invocations; beyond them invocations queue and spill out (default 0 = one per core)" };
    private readonly Option<int?> _missedHeartbeats = new("--missed-heartbeats") { Description = "Heartbeats a child may miss before this site marks it offline (default 3)" };
    private readonly Option<bool> _emulateUplink = new("--emulate-uplink") { Description = "Put a link emulator in front of the uplink (cut and healed with POST /api/uplink/cut|heal; fornax up does this)" };
    private readonly Option<string> _uplinkLatency = new("--uplink-latency") { Description = "One-way latency of the emulated uplink, e.g. 30ms (implies --emulate-uplink)" };
    private readonly Option<string> _uplinkBandwidth = new("--uplink-bandwidth") { Description = "Bandwidth of the emulated uplink, e.g. 100Mbit or 512kbit (implies --emulate-uplink)" };
    private readonly Option<double?> _uplinkLoss = new("--uplink-loss") { Description = "Segment loss rate of the emulated uplink, 0 to 1 (implies --emulate-uplink)" };
    private readonly Option<string> _logLevel = new("--log-level") { Description = "Least severe log level written: Trace, Debug, Information, Warning, Error" };

    public NodeCommand(CliContext context)
        : base("node", "Run a site")
    {
        _context = context;
        var run = new Command("run", "Run a site in this process until Ctrl-C; flags override the --config file")
        {
            _dataDir, _config, _name, _host, _apiPort, _ingressPort, _respPort, _durability, _allowCommands, _trustLoopback, _labels, _tier, _maxBodyBytes,
            _join, _token, _tokenFile, _linkPort, _heartbeat, _capacity, _missedHeartbeats, _emulateUplink, _uplinkLatency, _uplinkBandwidth, _uplinkLoss, _logLevel,
        };
        run.SetAction(RunAsync);
        Subcommands.Add(run);
    }

    /// <summary>
    /// The ports a site takes when neither the file nor a flag says: the API on 7100, where every other command
    /// looks for a site by default, so <c>fornax node run</c> and then <c>fornax get missions</c> just work.
    /// </summary>
    /// <summary>The file in the data directory holding the pid of the process running the site.</summary>
    public const string PidFileName = "node.pid";

    internal static readonly NodeOptions Defaults = new() { DataDirectory = "", ApiPort = 7100, IngressPort = 7101, RespPort = 7102 };

    /// <summary>The options of one <c>node run</c> command line: the defaults, the file over them, then the flags.</summary>
    internal NodeOptions BuildOptions(ParseResult parse)
    {
        var options = parse.GetValue(_config) is { } file
            ? NodeConfigFile.Load(Path.GetFullPath(file, _context.CurrentDirectory), Defaults)
            : Defaults;
        var labels = new Dictionary<string, string>(options.Labels);
        foreach (var label in parse.GetValue(_labels) ?? [])
        {
            var equals = label.IndexOf('=');
            if (equals <= 0)
            {
                throw new CliException($"--label {label}: expected KEY=VALUE");
            }

            labels[label[..equals]] = label[(equals + 1)..];
        }

        options = options with
        {
            DataDirectory = parse.GetValue(_dataDir) is { } dir ? Path.GetFullPath(dir, _context.CurrentDirectory) : options.DataDirectory,
            Name = parse.GetValue(_name) ?? options.Name,
            Host = parse.GetValue(_host) ?? options.Host,
            Tier = parse.GetValue(_tier) ?? options.Tier,
            ApiPort = parse.GetValue(_apiPort) ?? options.ApiPort,
            IngressPort = parse.GetValue(_ingressPort) ?? options.IngressPort,
            RespPort = parse.GetValue(_respPort) ?? options.RespPort,
            Durability = parse.GetValue(_durability) ?? options.Durability,
            AllowCommands = parse.GetResult(_allowCommands) is not null ? parse.GetValue(_allowCommands) ?? true : options.AllowCommands,
            TrustLoopback = parse.GetResult(_trustLoopback) is not null ? parse.GetValue(_trustLoopback) ?? true : options.TrustLoopback,
            MaxRequestBodyBytes = parse.GetValue(_maxBodyBytes) ?? options.MaxRequestBodyBytes,
            Labels = labels,
            Join = parse.GetValue(_join) ?? options.Join,
            JoinToken = parse.GetValue(_token) ?? options.JoinToken,
            JoinTokenFile = parse.GetValue(_tokenFile) is { } tokenFile ? Path.GetFullPath(tokenFile, _context.CurrentDirectory) : options.JoinTokenFile,
            LinkPort = parse.GetValue(_linkPort) ?? options.LinkPort,
            HeartbeatInterval = parse.GetValue(_heartbeat) is { } heartbeat ? Duration("--heartbeat", heartbeat) : options.HeartbeatInterval,
            MissedHeartbeats = parse.GetValue(_missedHeartbeats) ?? options.MissedHeartbeats,
            Capacity = parse.GetValue(_capacity) ?? options.Capacity,
            LogLevel = parse.GetValue(_logLevel) is { } level
                ? Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(level, ignoreCase: true, out var parsed) ? parsed : throw new CliException($"--log-level {level}: not one of Trace, Debug, Information, Warning, Error")
                : options.LogLevel,
        };
        var latency = parse.GetValue(_uplinkLatency);
        var bandwidth = parse.GetValue(_uplinkBandwidth);
        var loss = parse.GetValue(_uplinkLoss);
        if (latency is not null || bandwidth is not null || loss is not null)
        {
            options = options with { Uplink = new LinkProfile { Latency = latency, Bandwidth = bandwidth, Loss = loss } };
        }

        if (parse.GetValue(_emulateUplink) || options.Uplink is not null)
        {
            options = options with { UplinkEmulator = new Fornax.Node.Emulation.UplinkEmulatorFactory(_context.Time) };
        }

        Validate(options);
        return options;
    }

    private static TimeSpan Duration(string flag, string text) =>
        Durations.TryParse(text, out var span) && span > TimeSpan.Zero ? span : throw new CliException($"{flag} {text}: not a positive duration like 5s or 500ms");

    private static void Validate(NodeOptions options)
    {
        var problems = new List<string>();
        if (options.Join is { } join && !Configuration.SiteTargets.IsUrl(join))
        {
            problems.Add($"join: \"{join}\" is not an http:// or https:// URL of the parent's API");
        }

        if (options.MissedHeartbeats < 1)
        {
            problems.Add($"missedHeartbeats: {options.MissedHeartbeats} is not a positive number");
        }

        if (options.Uplink is { } uplink)
        {
            // The topology's checks of a link profile, reported under the flag names.
            var topology = new Topology { Metadata = new ObjectMeta { Name = "uplink" }, Spec = new TopologySpec { Sites = [new TopologySite { Name = "site", Link = uplink }] } };
            problems.AddRange(ObjectValidator.Validate(topology)
                .Where(e => e.ToString().Contains(".link.", StringComparison.Ordinal))
                .Select(e => e.ToString().Replace("spec.sites[0].link.", "--uplink-", StringComparison.Ordinal)));
        }

        if (string.IsNullOrEmpty(options.DataDirectory))
        {
            problems.Add("a data directory is required: --data-dir DIR, or dataDirectory in the --config file");
        }

        if (!Names.IsDnsLabel(options.Name))
        {
            problems.Add($"name: \"{options.Name}\" is not a valid site name (lowercase letters, digits and '-', at most 63 characters)");
        }

        if (options.Tier is { } tier && !SiteTiers.All.Contains(tier))
        {
            problems.Add($"tier: \"{tier}\" is not one of {string.Join(", ", SiteTiers.All)}");
        }

        foreach (var (name, port) in new[] { ("apiPort", options.ApiPort), ("ingressPort", options.IngressPort), ("respPort", options.RespPort), ("linkPort", options.LinkPort) })
        {
            if (port is < 0 or > 65535)
            {
                problems.Add($"{name}: {port} is not a port (0 to 65535; 0 picks a free one)");
            }
        }

        if (options.MaxRequestBodyBytes <= 0)
        {
            problems.Add($"maxRequestBodyBytes: {options.MaxRequestBodyBytes} is not a positive number");
        }

        var context = new ValidationContext();
        Names.ValidateLabels(options.Labels, context, "labels");
        problems.AddRange(context.Errors.Select(e => e.ToString()));
        if (problems.Count > 0)
        {
            throw new CliException(problems[0], problems.Skip(1).ToList());
        }
    }

    /// <summary>
    /// When the start's garbage is collected: after the start and its first requests, which must not wait behind a full
    /// blocking collection (start to healthy is about 0.3 s on a quiet machine, docs/benchmarks.md).
    /// </summary>
    private static readonly TimeSpan StartGarbageDelay = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The start allocates far more than the running site keeps (configuration binding, the dependency-injection
    /// container's build, Kestrel's, routing's and gRPC's set-up) and an idle site allocates too little to collect it
    /// soon: one compacting full collection, with the freed regions given back to the OS (Aggressive), instead of holding
    /// those pages while the site idles (5 MiB of an idle Native AOT site's 58, docs/benchmarks.md). Once per `node run`.
    /// </summary>
    private static void ReleaseStartGarbage() =>
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>
    /// What the start needed and the running site never will: its garbage, and (in the real process only, where the
    /// executable is this process's) the Native AOT executable's dehydrated type data (<see cref="DehydratedData"/>).
    /// </summary>
    private static void ReleaseStartMemory(bool ownsProcess)
    {
        ReleaseStartGarbage();
        if (ownsProcess)
        {
            DehydratedData.Release();
        }
    }

    private static bool IsPortInUse(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        var options = BuildOptions(parse);
        IRunningSite started;
        try
        {
            started = await _context.SiteHost.StartAsync(options, ct);
        }
        catch (Fornax.Hierarchy.Identity.JoinRefusedException e)
        {
            // A refused join or attachment changed nothing here: say why, in one line.
            throw new CliException(e.Message);
        }
        catch (Exception e) when (e is Fornax.Hierarchy.Identity.SiteDataException or InvalidDataException)
        {
            // A torn file the site cannot rebuild (SiteDataException), or a record under links/ that is not what it should
            // be: the message names the file and the way out.
            throw new CliException(e.Message);
        }
        catch (Fornax.Hierarchy.Identity.ParentUnreachableException e)
        {
            throw new CliException(e.Message, ["nothing changed at this site: run the same command again once the parent can be reached"]);
        }
        catch (Fornax.Store.StoreException e) when (e.Reason == Fornax.Store.StoreErrorReason.Locked)
        {
            // Another site process runs on this directory (it holds the lock file): a refusal, not a crash.
            throw new CliException(e.Message, ["stop the site that runs on it first (`fornax down` for a tree), or give this one another --data-dir"]);
        }
        catch (IOException e) when (IsPortInUse(e))
        {
            // Kestrel's and the RESP listener's messages both name the address; the stack trace would add nothing.
            throw new CliException(e.Message, ["another process listens there: stop it, or give this site other ports (--api-port, --ingress-port, --resp-port, --link-port; 0 picks a free one)"]);
        }

        await using var site = started;
        // Who runs this data directory: `fornax up` records it, `fornax down` signals it.
        var pidFile = Path.Combine(options.DataDirectory, PidFileName);
        // Not cancellable: a stop asked for right now must still find the site started and stop it cleanly.
        try
        {
            File.WriteAllText(pidFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException e) when (Fornax.Store.DiskFull.Is(e))
        {
            // A full disk: the site runs read-only (docs/site.md, "A full disk"); only `fornax down` misses the record.
            File.Delete(pidFile);
            _context.Error.MarkupLine($"[yellow]warning:[/] {Markup.Escape(pidFile)} not written ({Markup.Escape(e.Message)}): `fornax down` cannot stop this site; stop it with Ctrl-C or a signal");
        }

        var grid = new Grid().AddColumn(new GridColumn().PadRight(2)).AddColumn();
        grid.AddRow("API", site.Endpoints.Api);
        grid.AddRow("Ingress", site.Endpoints.Ingress);
        if (site.Endpoints.Resp is { } resp)
        {
            // A port is listed only once it serves.
            grid.AddRow("RESP", resp);
        }

        grid.AddRow("Data", options.DataDirectory);
        _context.Out.MarkupLine($"site [bold]{Markup.Escape(options.Name)}[/] is running");
        _context.Out.Write(grid);
        _context.Out.MarkupLine("[grey]Ctrl-C to stop[/]");
        using var compaction = _context.Time.CreateTimer(_ => ReleaseStartMemory(_context.OwnsProcess), null, StartGarbageDelay, Timeout.InfiniteTimeSpan);
        try
        {
            await site.WaitForShutdownAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        // Stop even when the token that ended the wait has fired: a clean stop flushes the store and the outbox.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30), _context.Time);
        await site.StopAsync(stopping.Token);
        try
        {
            File.Delete(pidFile);
        }
        catch (DirectoryNotFoundException)
        {
            // the data directory was deleted under the running site (its stores said so): nothing left to tidy
        }

        _context.Out.MarkupLine($"site [bold]{Markup.Escape(options.Name)}[/] stopped");
        return ExitCodes.Success;
    }
}
