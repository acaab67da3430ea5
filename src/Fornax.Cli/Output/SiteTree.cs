using Fornax.Core.Columns;
using Fornax.Core.Objects;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Fornax.Cli.Output;

/// <summary>
/// <c>fornax get sites</c>: the Site objects a site holds (itself and its subtree) drawn as a tree by their paths,
/// each with its tier, health, last heartbeat and missions; <c>-o wide</c> adds the endpoints.
/// </summary>
public static class SiteTree
{
    public static IRenderable Build(IReadOnlyList<Site> sites, bool wide, DateTimeOffset now)
    {
        var byPath = sites
            .Where(s => s.Status?.Path is { Length: > 0 })
            .GroupBy(s => s.Status!.Path!)
            .ToDictionary(g => g.Key, g => g.First());
        var roots = byPath.Keys.Where(p => ParentPath(p) is not { } parent || !byPath.ContainsKey(parent)).Order(StringComparer.Ordinal).ToList();
        var rendered = new List<IRenderable>();
        foreach (var root in roots)
        {
            var tree = new Tree(Label(byPath[root], root, isTop: true, wide, now)).Guide(TreeGuide.Line);
            AddChildren(tree.AddNode, root, byPath, wide, now);
            rendered.Add(tree);
        }

        // Sites without a path (not yet registered) still get a line rather than vanish.
        foreach (var site in sites.Where(s => s.Status?.Path is not { Length: > 0 }))
        {
            rendered.Add(new Markup(Label(site, site.Metadata.Name, isTop: true, wide, now)));
        }

        return new Rows(rendered);
    }

    private static void AddChildren(Func<string, TreeNode> add, string path, Dictionary<string, Site> byPath, bool wide, DateTimeOffset now)
    {
        foreach (var child in byPath.Keys.Where(p => ParentPath(p) == path).Order(StringComparer.Ordinal))
        {
            var node = add(Label(byPath[child], child, isTop: false, wide, now));
            AddChildren(node.AddNode, child, byPath, wide, now);
        }
    }

    private static string? ParentPath(string path) => path.Contains('/') ? path[..path.LastIndexOf('/')] : null;

    private static string Label(Site site, string path, bool isTop, bool wide, DateTimeOffset now)
    {
        var status = site.Status;
        // The top line shows the full path (a subtree seen from below the root); the others their name.
        var name = isTop ? path : site.Metadata.Name;
        var health = status?.Healthy switch
        {
            true => "[green]● healthy[/]",
            false when status.Phase is { } phase && phase != SitePhases.Unknown => $"[darkorange]○ {Markup.Escape(phase.ToLowerInvariant())}[/]",
            false => "[darkorange]○ unhealthy[/]",
            null => "[grey]? unknown[/]",
        };
        var heartbeat = status?.LastHeartbeat is { } last ? $"heartbeat {Ages.Since(last, now)} ago" : "no heartbeat yet";
        var missions = status?.Missions is { } m ? $"missions {m.Active} active / {m.Received} received" : "missions 0 active / 0 received";
        var label = $"[bold]{Markup.Escape(name)}[/] [grey]{Markup.Escape(site.Spec.Tier ?? "")}[/]  {health}  [grey]{Markup.Escape(heartbeat)}[/]  {Markup.Escape(missions)}";
        if (wide)
        {
            var e = status?.Endpoints;
            label += $"  [grey]api[/] {Markup.Escape(e?.Api ?? "<none>")}  [grey]ingress[/] {Markup.Escape(e?.Ingress ?? "<none>")}  [grey]resp[/] {Markup.Escape(e?.Resp ?? "<none>")}";
        }

        return label;
    }
}
