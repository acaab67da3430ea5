using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Fornax.Cli.Output;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Node.Trees;
using Spectre.Console;

namespace Fornax.Cli.Commands.Demo;

/// <summary>
/// <c>fornax demo</c>: the three-tier tree (cloud, east and west, four edge sites) in this process with emulated WAN
/// links and a short heartbeat; a mission for the edge sites of east; a cut link (the root sees the site offline,
/// the site keeps working); an update during the cut; the heal and the reconciliation; the hello function deployed to
/// every edge site and invoked at each; a service called at one edge site from another through the portals, before and
/// after a cut link; a keyspace written at two edge sites during a cut, converging after the heal. Then it stops and
/// cleans up.
/// </summary>
internal sealed partial class DemoCommand : Command
{
    private const string Mission = "east-edge";
    private const string Delivered = "east-edge-config";

    private readonly CliContext _context;
    private readonly Option<string> _heartbeat = new("--heartbeat") { Description = "Heartbeat interval of the demo's sites", DefaultValueFactory = _ => "500ms" };
    private readonly Option<int> _timeout = new("--timeout") { Description = "Seconds to wait for each step", DefaultValueFactory = _ => 30 };

    public DemoCommand(CliContext context)
        : base("demo", "Start a tree of sites, send a mission down, cut a link, heal it, and show what happens")
    {
        _context = context;
        Options.Add(_heartbeat);
        Options.Add(_timeout);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var heartbeatText = parse.GetValue(_heartbeat)!;
        if (!Fornax.Core.Validation.Durations.TryParse(heartbeatText, out var heartbeat) || heartbeat <= TimeSpan.Zero)
        {
            throw new CliException($"--heartbeat {heartbeatText}: not a positive duration like 500ms");
        }

        var step = TimeSpan.FromSeconds(parse.GetValue(_timeout));
        var topology = ThreeTier();
        var console = _context.Out;
        var clock = Stopwatch.StartNew();
        console.MarkupLine("[bold underline]Fornax demo: a tree of sites[/]");
        console.WriteLine();
        console.MarkupLine($"[bold]1. Start the tree.[/] Seven sites, each a real Fornax site (its own store, API and link port) in this process; every child joined its parent with a one-time token and dials it over mutual TLS through a link emulator (latency, bandwidth, loss below). Heartbeat {Markup.Escape(heartbeatText)}; a parent marks a child offline after 3 missed heartbeats.");
        await using var tree = await TreeHost.StartAsync(topology, new TreeHostOptions
        {
            HeartbeatInterval = heartbeat,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.None,
            TimeProvider = _context.Time,
        }, ct);
        console.Write(Draw(topology));
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            if (await DashboardUrl.WhenServingAsync(probe, tree["cloud"].Node.Endpoints.Api, ct) is { } dashboard)
            {
                console.MarkupLine($"   Dashboard, while the demo runs: [link]{Markup.Escape(dashboard)}[/]");
            }
        }

        console.WriteLine();

        var cloud = tree["cloud"];
        console.MarkupLine("[bold]2. Apply a mission at the root[/] selecting the edge sites under east ([aqua]fornax.io/tier=edge, fornax.io/parent=east[/]); it carries a ConfigMap:");
        await TreeHost.ApplyAsync(cloud, "missions", Mission, MissionYaml("100"));
        var all = tree.Sites.Values.Select(s => s.Path).ToList();
        await WaitAsync(async () => (await TreeHost.StatesAsync(cloud, Mission)).Count == all.Count, "every site to report the mission", step);
        await PrintStatesAsync(cloud, "   The root's view (one entry per site path; each site decided for itself whether it matches):");
        await PrintDeliveredAsync(tree, ["east-1", "east-2", "west-1"]);
        console.WriteLine();

        console.MarkupLine("[bold]3. Cut the link east ↔ east-1[/] (as a backhoe would).");
        var cutAt = clock.Elapsed;
        tree.Cut("east", "east-1");
        await WaitAsync(async () => (await TreeHost.StatesAsync(cloud, Mission)).GetValueOrDefault("cloud/east/east-1") == MissionStates.ClusterOffline, "the root to mark east-1 offline", step);
        console.MarkupLine($"   After {(clock.Elapsed - cutAt).TotalSeconds:0.0}s without heartbeats east marked east-1 offline; the root now shows:");
        await PrintStatesAsync(cloud, null);
        var island = tree["east-1"];
        var islandState = (await TreeHost.StatesAsync(island, Mission)).GetValueOrDefault("cloud/east/east-1") ?? "(none)";
        console.MarkupLine($"   [bold]Autonomy:[/] asked directly, east-1 still holds the mission ({MissionStateStyle.Markup(islandState)}) and serves its ConfigMap: upload-batch={Markup.Escape(await BatchAsync(island) ?? "(missing)")}");
        console.WriteLine();

        console.MarkupLine("[bold]4. Update the mission at the root during the cut[/] (upload-batch 100 → 200).");
        await TreeHost.ApplyAsync(cloud, "missions", Mission, MissionYaml("200"));
        await WaitAsync(async () => await BatchAsync(tree["east-2"]) == "200", "east-2 to receive the update", step);
        console.MarkupLine($"   east-2 has it: upload-batch={Markup.Escape(await BatchAsync(tree["east-2"]) ?? "")}; east-1, cut off, keeps working with upload-batch={Markup.Escape(await BatchAsync(island) ?? "")}.");
        console.WriteLine();

        console.MarkupLine("[bold]5. Heal the link.[/]");
        var healAt = clock.Elapsed;
        tree.Heal("east", "east-1");
        await WaitAsync(async () => await BatchAsync(island) == "200" && (await TreeHost.StatesAsync(cloud, Mission)).GetValueOrDefault("cloud/east/east-1") == MissionStates.Active, "east-1 to catch up", step);
        console.MarkupLine($"   Within {(clock.Elapsed - healAt).TotalSeconds:0.0}s east-1 reconnected, received only what changed while it was away (the update; nothing is re-listed), and reported back: upload-batch={Markup.Escape(await BatchAsync(island) ?? "")}.");
        await PrintStatesAsync(cloud, "   The root's view again:");
        console.WriteLine();

        var hello = await DeployHelloAsync(tree, step, ct);
        console.WriteLine();

        await CallAcrossPortalsAsync(tree, hello, step, ct);
        console.WriteLine();

        var kvMission = ExampleFiles.Find(DemoKvScene.MissionFile, _context.CurrentDirectory, AppContext.BaseDirectory)
            ?? throw new CliException($"demo: {DemoKvScene.MissionFile} not found above the current directory or the fornax binary");
        await new DemoKvScene(console, (condition, what) => WaitAsync(condition, what, step)).RunAsync(tree, await File.ReadAllTextAsync(kvMission, ct));
        console.WriteLine();

        console.MarkupLine($"[grey]Done in {clock.Elapsed.TotalSeconds:0.0}s; stopping the sites and deleting their data.[/]");
        console.WriteLine();
        console.MarkupLine("[bold]Try it yourself[/] with sites that keep running, one process each:");
        foreach (var (command, what) in new[]
        {
            ("fornax up -f examples/topologies/three-tier.yaml", "7 sites on 127.0.0.1:7100-7127"),
            ("fornax apply -f examples/missions/tree/east-edge.yaml", "this mission, at the root"),
            ("fornax get sites", "the tree: health, heartbeats, missions"),
            ("fornax get missions -o wide", "one state column per site path"),
            ("fornax link cut east east-1", "then 'fornax link heal east east-1'"),
            ("fornax get missions --site east-1", "ask a site directly"),
            ("fornax apply -f examples/missions/hello-function.yaml", "hello to every site; 'fornax invoke hello --site east-1'"),
        }.Concat(DemoKvScene.TryItYourself(topology)).Append(("fornax down", "stop them all")))
        {
            console.MarkupLine($"   [aqua]{Markup.Escape(command.PadRight(54))}[/]{(what.Length == 0 ? "" : $" [grey]# {Markup.Escape(what)}[/]")}");
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Step 6: the hello function, uploaded once at the root, deployed by a mission to every edge site (the module
    /// travels down the links with the mission) and invoked at each edge site's own ingress.
    /// </summary>
    /// <returns>The module's digest.</returns>
    private async Task<string> DeployHelloAsync(TreeHost tree, TimeSpan step, CancellationToken ct)
    {
        var console = _context.Out;
        var module = ExampleFiles.Find(Path.Combine("examples", "functions", "hello", "hello.wasm"), _context.CurrentDirectory, AppContext.BaseDirectory)
            ?? throw new CliException("demo: examples/functions/hello/hello.wasm not found above the current directory or the fornax binary");
        var bytes = await File.ReadAllBytesAsync(module, ct);
        var digest = Manifests.FunctionModules.Digest(bytes);
        var cloud = tree["cloud"];
        using (var upload = new ByteArrayContent(bytes))
        {
            upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            (await cloud.Http.PutAsync($"/blobs/{digest}", upload, ct)).EnsureSuccessStatusCode();
        }

        console.MarkupLine($"[bold]6. Deploy a WebAssembly function to every edge site.[/] The root stores hello.wasm ({bytes.Length / 1024} KiB, {Markup.Escape(digest[..19])}…) and a mission selecting [aqua]fornax.io/tier=edge[/] carries a Function that names it; each site fetches the module from its parent over the link before it stores the mission.");
        await TreeHost.ApplyAsync(cloud, "missions", "hello-edge", $$"""
            apiVersion: fornax.io/v1
            kind: Mission
            metadata: {name: hello-edge}
            spec:
              placement:
                selector:
                  matchLabels: {fornax.io/tier: edge}
              content:
                - apiVersion: fornax.io/v1
                  kind: Function
                  metadata: {name: hello}
                  spec: {module: "{{digest}}"}
            """);
        var edges = tree.Sites.Values.Where(s => s.Node.Options.Tier == SiteTiers.Edge).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        await WaitAsync(async () =>
        {
            var states = await TreeHost.StatesAsync(cloud, "hello-edge");
            return edges.All(e => states.GetValueOrDefault(e.Path) == MissionStates.Active);
        }, "every edge site to report hello-edge Active", step);
        foreach (var edge in edges)
        {
            using var ingress = new HttpClient { BaseAddress = new Uri(edge.Node.Endpoints.Ingress) };
            HttpResponseMessage? answer = null;
            await WaitAsync(async () => (answer = await ingress.GetAsync("/fn/hello/?name=demo", ct)).IsSuccessStatusCode, $"hello to answer at {edge.Name}", step);
            var first = (await answer!.Content.ReadAsStringAsync(ct)).Split('\n')[0];
            console.MarkupLine($"   [aqua]GET {Markup.Escape(edge.Node.Endpoints.Ingress)}/fn/hello/?name=demo[/] → {(int)answer.StatusCode} {Markup.Escape(first)}");
        }

        return digest;
    }

    private async Task PrintStatesAsync(TreeSite site, string? title)
    {
        if (title is not null)
        {
            _context.Out.MarkupLine(title);
        }

        foreach (var (path, state) in (await TreeHost.StatesAsync(site, Mission)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            _context.Out.MarkupLine($"     {Markup.Escape(path.PadRight(20))}{MissionStateStyle.Markup(state)}");
        }
    }

    private async Task PrintDeliveredAsync(TreeHost tree, string[] sites)
    {
        foreach (var name in sites)
        {
            var batch = await BatchAsync(tree[name]);
            _context.Out.MarkupLine(batch is null
                ? $"   {Markup.Escape(name)}: no ConfigMap {Delivered} (not selected, nothing stored)"
                : $"   {Markup.Escape(name)}: ConfigMap {Delivered} delivered, upload-batch={Markup.Escape(batch)}");
        }
    }

    private static async Task<string?> BatchAsync(TreeSite site) =>
        (await TreeHost.GetAsync(site, "configmaps", Delivered))?["data"]?["upload-batch"]?.GetValue<string>();

    private Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan deadline) =>
        ConditionWait.UntilAsync(_context.Time, condition, "demo", what, deadline, TimeSpan.FromMilliseconds(20));

    private static string MissionYaml(string batch) => $$"""
        apiVersion: fornax.io/v1
        kind: Mission
        metadata: {name: {{Mission}}}
        spec:
          placement:
            selector:
              matchLabels: {fornax.io/tier: edge, fornax.io/parent: east}
          content:
            - apiVersion: fornax.io/v1
              kind: ConfigMap
              metadata: {name: {{Delivered}}}
              data: {sample-interval: 5s, upload-batch: "{{batch}}"}
        """;

    /// <summary>The sites and links of examples/topologies/three-tier.yaml.</summary>
    internal static Topology ThreeTier() => (Topology)ObjectSerializer.ParseDocuments("""
        apiVersion: fornax.io/v1
        kind: Topology
        metadata: {name: three-tier}
        spec:
          sites:
            - {name: cloud, tier: cloud}
            - {name: east, parent: cloud, tier: region, link: {latency: 35ms, bandwidth: 100Mbit}}
            - {name: west, parent: cloud, tier: region, link: {latency: 40ms, bandwidth: 100Mbit}}
            - {name: east-1, parent: east, tier: edge, link: {latency: 8ms, bandwidth: 50Mbit, loss: 0.002}}
            - {name: east-2, parent: east, tier: edge, link: {latency: 15ms, bandwidth: 20Mbit, loss: 0.005}}
            - {name: west-1, parent: west, tier: edge, link: {latency: 5ms, bandwidth: 50Mbit, loss: 0.001}}
            - {name: west-2, parent: west, tier: edge, link: {latency: 12ms, bandwidth: 30Mbit, loss: 0.003}}
        """)[0];

    private static Spectre.Console.Tree Draw(Topology topology)
    {
        var sites = topology.Spec.Sites!;
        var root = sites.Single(s => s.Parent is null);
        var tree = new Spectre.Console.Tree(Label(root));
        void Add(Func<string, TreeNode> add, TopologySite parent)
        {
            foreach (var child in sites.Where(s => s.Parent == parent.Name))
            {
                Add(add(Label(child)).AddNode, child);
            }
        }

        Add(tree.AddNode, root);
        return tree;
    }

    private static string Label(TopologySite site)
    {
        var link = site.Link is { } l
            ? $"  [grey]link {Markup.Escape(string.Join(", ", new[] { l.Latency, l.Bandwidth, l.Loss is { } loss ? $"{loss:0.###} loss" : null }.Where(p => p is not null)))}[/]"
            : "";
        return $"[bold]{Markup.Escape(site.Name)}[/] [grey]{Markup.Escape(site.Tier ?? "")}[/]{link}";
    }
}
