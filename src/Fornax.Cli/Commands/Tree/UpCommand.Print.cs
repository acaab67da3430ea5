using System.CommandLine;
using System.Globalization;
using Fornax.Core.Objects;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;


/// <summary>Printing the tree, the ports and what to do next.</summary>
internal sealed partial class UpCommand
{
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
}
