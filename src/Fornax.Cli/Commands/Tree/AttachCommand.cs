using System.CommandLine;
using System.Text.Json.Nodes;
using Fornax.Cli.Api;
using Fornax.Cli.Configuration;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

/// <summary>
/// <c>fornax attach --parent URL --token T [--wait]</c>: attaches the running root site picked by <c>--site</c>, with
/// its whole subtree, under a site of another tree (<c>POST /api/attach</c>; docs/tree.md, "Attaching a subtree").
/// </summary>
internal sealed class AttachCommand : Command
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Option<string> _parent = new("--parent") { Description = "The new parent's API URL, e.g. http://cloud:7100", Required = true };
    private readonly Option<string> _token = new("--token") { Description = "A join token from 'fornax token create' at the new parent; on a command line other local users can read it (ps): prefer --token-file" };
    private readonly Option<string> _tokenFile = new("--token-file") { Description = "A file (mode 0600) whose first line is the join token" };
    private readonly Option<bool> _wait = new("--wait") { Description = "Wait until the site and its children run on the new tree's certificates alone" };
    private readonly Option<string> _timeout = new("--timeout") { Description = "How long --wait waits, e.g. 2m (default 2m)" };

    public AttachCommand(CliContext context, SiteTargets sites)
        : base("attach", "Attach a running root site, with every site below it, under a parent of another tree")
    {
        _context = context;
        _sites = sites;
        Options.Add(_parent);
        Options.Add(_token);
        Options.Add(_tokenFile);
        Options.Add(_wait);
        Options.Add(_timeout);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var parent = parse.GetValue(_parent)!;
        if (!SiteTargets.IsUrl(parent))
        {
            throw new CliException($"--parent {parent}: not an http:// or https:// URL of the new parent's API");
        }

        var timeout = TimeSpan.FromMinutes(2);
        if (parse.GetValue(_timeout) is { } text && (!Fornax.Core.Validation.Durations.TryParse(text, out timeout) || timeout <= TimeSpan.Zero))
        {
            throw new CliException($"--timeout {text}: not a positive duration like 30s or 2m");
        }

        var token = TokenOf(parse);
        var target = _sites.Resolve(parse);
        using var client = _sites.Connect(target);
        var answer = await client.PostAsync("api/attach", new JsonObject { ["parent"] = parent, ["token"] = token }, ct);
        var from = answer["from"]?.GetValue<string>() ?? "?";
        var path = answer["path"]?.GetValue<string>() ?? "?";
        var children = (answer["pendingChildren"] as JsonArray ?? []).Select(c => c!.GetValue<string>()).ToList();
        _context.Out.MarkupLine($"[bold]{Markup.Escape(from)}[/] attached under {Markup.Escape(parent)}: it is now [bold]{Markup.Escape(path)}[/]");
        if (children.Count > 0)
        {
            _context.Out.MarkupLine($"[grey]its children ({Markup.Escape(string.Join(", ", children))}) get certificates of the new tree over their links; until they have, they keep working on the old one[/]");
        }

        if (!parse.GetValue(_wait))
        {
            _context.Out.MarkupLine($"[grey]'fornax get sites' at the new parent shows the subtree as it arrives; GET /api/site at {Markup.Escape(target.DisplayUrl)} shows \"move\" until it completes[/]");
            return ExitCodes.Success;
        }

        await WaitForMoveAsync(client, target, timeout, ct);
        _context.Out.MarkupLine($"[green]move complete[/]: {Markup.Escape(path)} and its children run on the new tree's CA alone");
        return ExitCodes.Success;
    }

    /// <summary>The join token: <c>--token</c>, or the first line of <c>--token-file</c> (exactly one of them).</summary>
    private string TokenOf(ParseResult parse)
    {
        var token = parse.GetValue(_token);
        var file = parse.GetValue(_tokenFile);
        if ((token is null) == (file is null))
        {
            throw new CliException("give the new parent's join token with --token-file FILE (a file only you can read), or with --token T");
        }

        if (file is null)
        {
            return token!;
        }

        var path = Path.GetFullPath(file, _context.CurrentDirectory);
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim() is { Length: > 0 } first
                ? first
                : throw new CliException($"--token-file {path}: the file is empty; its first line should be the join token");
        }
        catch (IOException e)
        {
            throw new CliException($"--token-file {path}: cannot read it ({e.Message})");
        }
    }

    private async Task WaitForMoveAsync(SiteClient client, SiteTarget target, TimeSpan timeout, CancellationToken ct)
    {
        var started = _context.Time.GetTimestamp();
        JsonObject? last = null;
        while (_context.Time.GetElapsedTime(started) < timeout)
        {
            try
            {
                last = await client.GetSiteAsync(ct);
                if (last["move"] is null && last["uplink"]?.GetValue<string>() == "connected")
                {
                    return;
                }
            }
            catch (CliException)
            {
                // The site restarts in place on its new certificate: refused connections for a moment are expected.
            }

            await Task.Delay(PollInterval, _context.Time, ct);
        }

        var pending = (last?["move"]?["pendingChildren"] as JsonArray ?? []).Select(c => c!.GetValue<string>()).ToList();
        throw new CliException(
            $"the move of {target.DisplayUrl} did not complete within {timeout.TotalSeconds:0}s",
            [pending.Count > 0 ? $"children still on the old tree: {string.Join(", ", pending)} (they move as soon as their links are up)" : "its link to the new parent is not up yet", "it keeps going on its own; check again with GET /api/site"]);
    }
}
