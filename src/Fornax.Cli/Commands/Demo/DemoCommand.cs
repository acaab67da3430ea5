using System.CommandLine;
using Fornax.Cli.Api;
using Fornax.Cli.Configuration;
using Fornax.Cli.Commands.Node;
using Fornax.Cli.Manifests;
using Fornax.Cli.Output;
using Fornax.Core.Objects;
using Fornax.Node.Hosting;
using Spectre.Console;

namespace Fornax.Cli.Commands.Demo;

/// <summary>
/// <c>fornax demo</c>: starts a throw-away site, applies <c>examples/missions</c>, waits until every mission
/// reports its state for the site, tells what happened, then stops the site and deletes its data.
/// </summary>
internal sealed class DemoCommand : Command
{
    private readonly CliContext _context;
    private readonly Option<string> _examples = new("--examples") { Description = $"The folder of missions to apply (default: the nearest {ExampleFinder.Folder})" };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds to wait for the missions' states", DefaultValueFactory = _ => 30 };

    public DemoCommand(CliContext context)
        : base("demo", "Start a site, apply the example missions, and show what happens")
    {
        _context = context;
        Options.Add(_examples);
        Options.Add(_timeout);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var examples = parse.GetValue(_examples) is { } given
            ? Path.GetFullPath(given, _context.CurrentDirectory)
            : ExampleFinder.Find(_context.CurrentDirectory, AppContext.BaseDirectory)
                ?? throw new CliException($"cannot find {ExampleFinder.Folder} above {_context.CurrentDirectory} or {AppContext.BaseDirectory}; give one with --examples DIR");
        var manifests = new ManifestReader(_context).Read([examples], recursive: false, validate: true);
        var blobs = FunctionModules.Resolve(manifests);

        var console = _context.Out;
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"fornax-demo-{Guid.NewGuid():N}");
        // The demo tells its own story; the site logs only what went wrong.
        var options = new NodeOptions { DataDirectory = dataDirectory, Name = "demo", Tier = SiteTiers.Cloud, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning };
        console.MarkupLine("[bold underline]Fornax demo[/]");
        console.WriteLine();
        try
        {
            await using var site = await _context.SiteHost.StartAsync(options, ct);
            try
            {
                await RunAsync(site, options, examples, manifests, blobs, TimeSpan.FromSeconds(parse.GetValue(_timeout)), ct);
            }
            finally
            {
                using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30), _context.Time);
                await site.StopAsync(stopping.Token);
            }
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }

        console.MarkupLine($"[grey]Stopped the site and deleted {Markup.Escape(dataDirectory)}.[/]");
        return ExitCodes.Success;
    }

    private async Task RunAsync(
        IRunningSite site, NodeOptions options, string examples, IReadOnlyList<Manifest> manifests,
        IReadOnlyDictionary<string, byte[]> blobs, TimeSpan deadline, CancellationToken ct)
    {
        var console = _context.Out;
        console.MarkupLine($"Started site [bold]{options.Name}[/] (tier {options.Tier}) with its data in {Markup.Escape(options.DataDirectory)}");
        var endpoints = new Grid().AddColumn(new GridColumn().PadLeft(2).PadRight(2)).AddColumn();
        endpoints.AddRow("API", site.Endpoints.Api);
        endpoints.AddRow("Ingress", site.Endpoints.Ingress);
        endpoints.AddRow("RESP", site.Endpoints.Resp ?? "not served yet (the edge KV store is a later issue)");
        console.Write(endpoints);

        using var client = new SiteTargets(_context, new Option<string>("--site")).Connect(new SiteTarget(site.Endpoints.Api));
        var siteInfo = await client.GetSiteAsync(ct);
        var sitePath = siteInfo["path"]?.GetValue<string>() ?? options.Name;

        console.WriteLine();
        console.MarkupLine($"[bold]1. Applied[/] {manifests.Count} object(s) from {Markup.Escape(Shown(examples))}:");
        var applied = await Applier.ApplyAsync(client, [.. manifests.Select(m => m.Object)], blobs,
            a => console.MarkupLine($"   {Markup.Escape(OutputFormat.QualifiedName(a.Sent))} [grey]{a.Outcome}[/]"), ct);

        var missions = applied.Select(a => a.Sent).OfType<Mission>().ToList();
        var byNamespace = missions.GroupBy(m => m.Metadata.NamespaceOrDefault);
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in byNamespace)
        {
            var names = group.Select(m => m.Metadata.Name).ToList();
            foreach (var (name, state) in await MissionStateWaiter.WaitAsync(client, group.Key, names, sitePath, deadline, _context.Time, ct))
            {
                states[name] = state;
            }
        }

        console.WriteLine();
        console.MarkupLine($"[bold]2. Each mission reported its state[/] for site [bold]{Markup.Escape(sitePath)}[/]:");
        foreach (var mission in missions)
        {
            var state = states[mission.Metadata.Name];
            console.MarkupLine($"   {Markup.Escape(mission.Metadata.Name.PadRight(20))}{MissionStateStyle.Markup(state, 12)}[grey]{Markup.Escape(Why(mission, state, options))}[/]");
        }

        console.WriteLine();
        console.MarkupLine("[bold]3. What the missions delivered[/] into the site's store:");
        foreach (var mission in missions)
        {
            foreach (var item in mission.Spec.Content ?? [])
            {
                var kind = Kinds.Get(item.Kind);
                var name = OutputFormat.QualifiedName(item);
                if (states[mission.Metadata.Name] != MissionStates.Active)
                {
                    console.MarkupLine($"   [grey]{Markup.Escape(name)}: not delivered (mission {Markup.Escape(mission.Metadata.Name)} does not target this site)[/]");
                    continue;
                }

                var found = await client.GetAsync(kind, item.Metadata.NamespaceOrDefault, item.Metadata.Name, ct);
                var detail = found["data"] is System.Text.Json.Nodes.JsonObject data
                    ? string.Join(", ", data.Select(p => $"{p.Key}={Shorten(p.Value?.ToString() ?? "")}"))
                    : "stored";
                console.MarkupLine($"   {Markup.Escape(name)} [grey](from mission {Markup.Escape(mission.Metadata.Name)})[/]: {Markup.Escape(detail)}");
            }
        }

        await InvokeFunctionsAsync(client, missions, states, deadline, ct);

        console.WriteLine();
        console.MarkupLine("[bold]Try it yourself[/] with a site that keeps running:");
        foreach (var (command, what) in new[]
        {
            ("fornax node run --data-dir ./site-data", "start a site (leave it running)"),
            ($"fornax apply -f {Shown(examples)}", "in another terminal"),
            ("fornax get missions -o wide", "one state column per site"),
            ($"fornax describe mission {missions.FirstOrDefault()?.Metadata.Name ?? "NAME"}", "metadata, placement, content, state"),
            ("fornax get configmaps -o yaml", "the delivered objects"),
            ("fornax invoke hello --path '/?name=ada' -i", "call the delivered function at the site's ingress"),
            ("fornax get functions -o wide", "invocations, cold starts, traps, timeouts, p50"),
        })
        {
            console.MarkupLine($"   [aqua]{Markup.Escape(command.PadRight(48))}[/] [grey]# {Markup.Escape(what)}[/]");
        }

        console.WriteLine();
    }

    /// <summary>Step 4: waits until the site has loaded each delivered Function, then calls it once at the ingress.</summary>
    private async Task InvokeFunctionsAsync(SiteClient client, List<Mission> missions, Dictionary<string, string> states, TimeSpan deadline, CancellationToken ct)
    {
        var functions = missions
            .Where(m => states[m.Metadata.Name] == MissionStates.Active)
            .SelectMany(m => (m.Spec.Content ?? []).OfType<Function>().Select(f => (Mission: m, Function: f)))
            .ToList();
        if (functions.Count == 0)
        {
            return;
        }

        var console = _context.Out;
        var ingress = await client.GetIngressUrlAsync(ct);
        console.WriteLine();
        console.MarkupLine($"[bold]4. Invoked the delivered functions[/] at the site's ingress {Markup.Escape(ingress)}:");
        foreach (var group in functions.GroupBy(f => f.Function.Metadata.NamespaceOrDefault))
        {
            var phases = await FunctionReadyWaiter.WaitAsync(client, group.Key, [.. group.Select(f => f.Function.Metadata.Name)], deadline, _context.Time, ct);
            foreach (var (_, function) in group)
            {
                var name = function.Metadata.Name;
                var (phase, message) = phases[name];
                if (phase != "Ready")
                {
                    console.MarkupLine($"   [red]{Markup.Escape(name)}: not loaded: {Markup.Escape(message ?? phase)}[/]");
                    continue;
                }

                var response = await FunctionInvoker.InvokeAsync(_context, client, new FunctionInvocation(name), ct);
                console.MarkupLine($"   [aqua]GET /fn/{Markup.Escape(name)}[/] → {response.StatusCode} {Markup.Escape(response.Reason)}");
                foreach (var line in response.BodyText.TrimEnd('\n').Split('\n'))
                {
                    console.MarkupLine($"     {Markup.Escape(line)}");
                }
            }
        }
    }

    private static string Why(Mission mission, string state, NodeOptions site)
    {
        var placement = mission.Spec.Placement;
        var selector = placement?.Selector is { } s ? Selectors.SelectorSyntax.Format(s) : null;
        return state switch
        {
            MissionStates.Active when placement is null => "its placement selects every site",
            MissionStates.Active => "this site matches its placement",
            MissionStates.NotMatch when selector is not null => $"it selects {selector}; this site is tier {site.Tier}",
            MissionStates.NotMatch => "its placement does not select this site",
            _ => "",
        };
    }

    private string Shown(string path)
    {
        var relative = Path.GetRelativePath(_context.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text.ReplaceLineEndings(" ") : text[..37].ReplaceLineEndings(" ") + "...";
}
