using System.CommandLine;
using Fornax.Cli.Configuration;
using Fornax.Cli.Output;
using Spectre.Console;

namespace Fornax.Cli.Commands.Tree;

/// <summary>
/// <c>fornax token create [--ttl 1h] [--user [--namespace NS]]</c>: a join token for a new child site, or a user token for the API;
/// <c>fornax token list</c> and <c>fornax token revoke ID</c>.
/// </summary>
internal sealed class TokenCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Option<string> _ttl = new("--ttl") { Description = "How long the token is valid, e.g. 30m, 1h or 2160h (default: 1h for a join token, 30 days for a user token)" };
    private readonly Argument<string> _id = new("ID") { Description = "The token's id: the part before the dot, as 'fornax token list' shows it" };
    private readonly Option<bool> _user = new("--user") { Description = "A user token for the site API (Authorization: Bearer) instead of a single-use join token" };
    private readonly Option<string> _namespace = new("--namespace") { Description = "With --user: the namespace its holder calls services in through the portals (header Fornax-Token at an ingress; default: default)" };

    public TokenCommand(CliContext context, SiteTargets sites)
        : base("token", "Issue tokens at a site")
    {
        _context = context;
        _sites = sites;
        var create = new Command("create", "Issue a join token (a child presents it once with --join URL --token-file F) or, with --user, an API token")
        {
            _ttl, _user, _namespace,
        };
        create.SetAction(CreateAsync);
        Subcommands.Add(create);
        var list = new Command("list", "List the site's tokens: id, kind, state, expiry and description (never a secret)");
        list.SetAction(ListAsync);
        Subcommands.Add(list);
        var revoke = new Command("revoke", "Revoke a token by id: it stops working at once") { _id };
        revoke.SetAction(RevokeAsync);
        Subcommands.Add(revoke);
    }

    private async Task<int> ListAsync(ParseResult parse, CancellationToken ct)
    {
        var target = _sites.Resolve(parse);
        using var client = _sites.Connect(target);
        var tokens = await client.ListTokensAsync(ct);
        if (tokens.Count == 0)
        {
            _context.Error.Profile.Out.Writer.WriteLine($"No tokens at {target.DisplayUrl}");
            return ExitCodes.Success;
        }

        _context.Out.Write(TokenTable.Build(tokens, _context.Time.GetUtcNow()));
        return ExitCodes.Success;
    }

    private async Task<int> RevokeAsync(ParseResult parse, CancellationToken ct)
    {
        var id = parse.GetValue(_id)!;
        var target = _sites.Resolve(parse);
        using var client = _sites.Connect(target);
        await client.RevokeTokenAsync(id, ct);
        _context.Out.Profile.Out.Writer.WriteLine($"token {id} revoked at {target.DisplayUrl}");
        return ExitCodes.Success;
    }

    private async Task<int> CreateAsync(ParseResult parse, CancellationToken ct)
    {
        var ttl = parse.GetValue(_ttl);
        if (ttl is not null && (!Fornax.Core.Validation.Durations.TryParse(ttl, out var span) || span <= TimeSpan.Zero))
        {
            throw new CliException($"--ttl {ttl}: not a positive duration like 30m or 1h");
        }

        var user = parse.GetValue(_user);
        var ns = parse.GetValue(_namespace);
        if (ns is not null && !user)
        {
            throw new CliException($"--namespace {ns}: only a user token has a namespace; add --user");
        }

        var target = _sites.Resolve(parse);
        using var client = _sites.Connect(target);
        var issued = await client.CreateTokenAsync(ttl, user, ct, @namespace: ns);
        var token = issued["token"]?.GetValue<string>() ?? throw new CliException($"site {target.DisplayUrl} answered without a token");

        // The token alone on stdout, so `T=$(fornax token create)` works; the explanation goes to stderr.
        _context.WriteRaw(token);
        var error = _context.Error;
        var expires = issued["expiresAt"]?.GetValue<string>() is { } at ? $"expires {at}" : "does not expire";
        if (user)
        {
            var tokenNamespace = issued["namespace"]?.GetValue<string>() ?? "default";
            error.MarkupLine($"[grey]user token for {Markup.Escape(target.DisplayUrl)} ({Markup.Escape(expires)}); send it as 'Authorization: Bearer TOKEN' to the API, or as 'Fornax-Token: TOKEN' to its ingress to call services in namespace {Markup.Escape(tokenNamespace)}[/]");
        }
        else
        {
            if (issued["caFingerprint"]?.GetValue<string>() is { } fingerprint)
            {
                error.MarkupLine($"[grey]tree CA fingerprint (SHA-256): {Markup.Escape(fingerprint)}[/]");
            }

            // The hints pass the token in a file: on a command line every local user reads it (ps), for a site's whole life.
            error.MarkupLine($"[grey]single-use join token ({Markup.Escape(expires)}); put it in a file only you can read (umask 077), then start the child with[/]");
            error.MarkupLine($"[grey]  fornax node run --data-dir DIR --name NAME --join {Markup.Escape(target.DisplayUrl)} --token-file FILE[/]");
            error.MarkupLine($"[grey]or attach a running root site, with its subtree, with[/]");
            error.MarkupLine($"[grey]  fornax attach --site SITE --parent {Markup.Escape(target.DisplayUrl)} --token-file FILE[/]");
        }

        return ExitCodes.Success;
    }
}
