using System.CommandLine;
using Fornax.Cli.Configuration;
using Fornax.Cli.Output;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

namespace Fornax.Cli.Commands;

/// <summary><c>fornax describe KIND NAME</c>: one object as a readable, sectioned report.</summary>
internal sealed class DescribeCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Argument<string> _kind = new Argument<string>("KIND") { Description = "The kind: singular, plural or short name" }.WithoutOptionTokens();
    private readonly Argument<string> _name = new Argument<string>("NAME") { Description = "The object's name" }.WithoutOptionTokens();
    private readonly Option<string> _namespace = CommonOptions.Namespace();

    public DescribeCommand(CliContext context, SiteTargets sites)
        : base("describe", "Show one object in detail: metadata, spec, status, and each site's mission state")
    {
        _context = context;
        _sites = sites;
        Arguments.Add(_kind);
        Arguments.Add(_name);
        Options.Add(_namespace);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var kind = CommonOptions.StoredKind(parse.GetValue(_kind)!);
        using var client = _sites.Connect(parse);
        var json = await client.GetAsync(kind, parse.GetValue(_namespace) ?? Kinds.DefaultNamespace, parse.GetValue(_name)!, ct);
        var obj = ObjectSerializer.FromJson(json, $"the site's {kind.Singular}");
        new ObjectDescriber(_context.Out, _context.Time.GetUtcNow()).Write(obj);
        return ExitCodes.Success;
    }
}
