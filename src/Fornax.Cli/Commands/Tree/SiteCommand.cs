using System.CommandLine;
using System.Text.Json.Nodes;
using Fornax.Cli.Configuration;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

/// <summary>
/// <c>fornax site forget NAME [--force]</c>: at a parent (picked by <c>--site</c>), forget a child site that will never
/// come back (<c>DELETE /api/children/{name}</c>; docs/tree.md, "Forgetting a site"). Its own verb, not
/// <c>fornax delete site</c>: deleting a <c>Site</c> object changes what a site shows (the next heartbeat writes it
/// again), while forgetting changes what a parent trusts, and must not happen through <c>delete -f</c> on a folder.
/// </summary>
internal sealed class SiteCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Argument<string> _name = new Argument<string>("NAME") { Description = "The child site to forget (a direct child of the site picked by --site)" }.WithoutOptionTokens();
    private readonly Option<bool> _force = new("--force") { Description = "Forget it even while it is linked: its link is closed first" };

    public SiteCommand(CliContext context, SiteTargets sites)
        : base("site", "Manage the sites below a site")
    {
        _context = context;
        _sites = sites;
        var forget = new Command("forget", "Forget a child site that will never come back: drop it and its subtree from the tree, refuse its certificate, stop a move waiting for it")
        {
            _name, _force,
        };
        forget.SetAction(ForgetAsync);
        Subcommands.Add(forget);
    }

    private async Task<int> ForgetAsync(ParseResult parse, CancellationToken ct)
    {
        var name = parse.GetValue(_name)!;
        var target = _sites.Resolve(parse);
        using var client = _sites.Connect(target);
        var answer = await client.ForgetChildAsync(name, parse.GetValue(_force), ct);
        var path = answer["path"]?.GetValue<string>() ?? name;
        var parent = path.Contains('/') ? path[..path.LastIndexOf('/')] : target.DisplayUrl;
        var dropped = (answer["droppedSites"] as JsonArray ?? []).Select(s => s!.GetValue<string>()).ToList();
        var console = _context.Out;
        console.MarkupLine($"site [bold]{Markup.Escape(name)}[/] forgotten at {Markup.Escape(parent)}" + (answer["linkClosed"]?.GetValue<bool>() == true ? " [darkorange](its link was closed)[/]" : ""));
        console.MarkupLine(dropped.Count == 0
            ? "[grey]no Site objects of its subtree were left here[/]"
            : $"[grey]dropped the Site objects of {Markup.Escape(string.Join(", ", dropped))} and their mission states; ancestors drop theirs with the next heartbeat[/]");
        console.MarkupLine($"[grey]its certificate is refused from now on; to bring it back, join it again with a new token ('fornax token create --site {Markup.Escape(target.DisplayUrl)}')[/]");
        return ExitCodes.Success;
    }
}
