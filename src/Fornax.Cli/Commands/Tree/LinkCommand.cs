using System.CommandLine;
using Fornax.Cli.Configuration;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

using Config = Fornax.Cli.Configuration.Config;

/// <summary>
/// <c>fornax link cut A B</c> / <c>fornax link heal A B</c>: cuts or heals the emulated link between a parent and a
/// child of the running topology (either order), through the child's <c>POST /api/uplink/cut|heal</c>.
/// </summary>
internal sealed class LinkCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;

    public LinkCommand(CliContext context, SiteTargets sites)
        : base("link", "Cut or heal an emulated link of the running topology")
    {
        _context = context;
        _sites = sites;
        Subcommands.Add(Verb("cut", "Cut the link between two adjacent sites; both keep running (the parent marks the child offline after missed heartbeats)"));
        Subcommands.Add(Verb("heal", "Restore a cut link; the child reconnects within a second and the two reconcile"));
    }

    private Command Verb(string action, string description)
    {
        var a = new Argument<string>("A") { Description = "A site name" }.WithoutOptionTokens();
        var b = new Argument<string>("B") { Description = "Its parent or child" }.WithoutOptionTokens();
        var command = new Command(action, description) { a, b };
        command.SetAction((parse, ct) => ExecuteAsync(action, parse.GetValue(a)!, parse.GetValue(b)!, ct));
        return command;
    }

    private async Task<int> ExecuteAsync(string action, string a, string b, CancellationToken ct)
    {
        var configPath = _sites.ConfigPath;
        var topology = Config.Load(configPath).Topology
            ?? throw new CliException($"no topology is running (none recorded in {configPath}); start one with 'fornax up -f topology.yaml'");
        var siteA = topology.FindSite(a) ?? throw UnknownSite(a, topology);
        var siteB = topology.FindSite(b) ?? throw UnknownSite(b, topology);
        var (parent, child) = siteA.Parent == b ? (siteB, siteA)
            : siteB.Parent == a ? (siteA, siteB)
            : throw new CliException(
                $"{a} and {b} are not linked: neither is the other's parent",
                [$"{a}'s parent is {siteA.Parent ?? "none (the root)"}; {b}'s parent is {siteB.Parent ?? "none (the root)"}"]);

        using var client = _sites.Connect(new SiteTarget(child.Api, child.Name));
        await client.PostAsync($"api/uplink/{action}", null, ct);
        _context.Out.MarkupLine(action == "cut"
            ? $"link {Markup.Escape(parent.Name)} ↔ {Markup.Escape(child.Name)} [darkorange]cut[/] [grey](both sites keep running; {Markup.Escape(parent.Name)} marks {Markup.Escape(child.Name)} offline after missed heartbeats)[/]"
            : $"link {Markup.Escape(parent.Name)} ↔ {Markup.Escape(child.Name)} [green]healed[/] [grey]({Markup.Escape(child.Name)} reconnects within a second and catches up)[/]");
        return ExitCodes.Success;
    }

    private static CliException UnknownSite(string name, TopologyEntry topology) =>
        new($"site \"{name}\" is not in the running topology {topology.Name} (sites: {string.Join(", ", topology.Sites.Select(s => s.Name))})");
}
