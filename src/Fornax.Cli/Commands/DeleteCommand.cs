using System.CommandLine;
using Fornax.Cli.Configuration;
using Fornax.Cli.Manifests;
using Fornax.Cli.Output;
using Fornax.Core.Objects;

namespace Fornax.Cli.Commands;

/// <summary>
/// <c>fornax delete KIND NAME...</c> or <c>fornax delete -f FILE</c>: prints <c>mission.fornax.io/NAME deleted</c>.
/// A missing object is an error (exit 1) unless <c>--ignore-not-found</c>; the others are still deleted.
/// </summary>
internal sealed class DeleteCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Argument<string?> _kind = new Argument<string?>("KIND") { Description = "The kind: singular, plural or short name", Arity = ArgumentArity.ZeroOrOne }.WithoutOptionTokens();
    private readonly Argument<string[]> _names = new Argument<string[]>("NAME") { Description = "Names of the objects to delete", Arity = ArgumentArity.ZeroOrMore }.WithoutOptionTokens();
    private readonly Option<string[]> _files = CommonOptions.Filename("delete the objects of");
    private readonly Option<bool> _recursive = CommonOptions.Recursive();
    private readonly Option<string> _namespace = CommonOptions.Namespace();
    private readonly Option<bool> _ignoreNotFound = new("--ignore-not-found") { Description = "Succeed when an object does not exist" };

    public DeleteCommand(CliContext context, SiteTargets sites)
        : base("delete", "Delete objects by kind and name, or those described in files")
    {
        _context = context;
        _sites = sites;
        Arguments.Add(_kind);
        Arguments.Add(_names);
        Options.Add(_files);
        Options.Add(_recursive);
        Options.Add(_namespace);
        Options.Add(_ignoreNotFound);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var targets = Targets(parse);
        using var client = _sites.Connect(parse);
        var missing = new List<string>();
        foreach (var (kind, ns, name) in targets)
        {
            if (await client.DeleteAsync(kind, ns, name, ct) is null)
            {
                if (!parse.GetValue(_ignoreNotFound))
                {
                    missing.Add(client.NotFound(kind, ns, name).Message);
                }

                continue;
            }

            _context.WriteRaw($"{OutputFormat.QualifiedName(kind.Kind, name)} deleted");
        }

        return missing.Count == 0 ? ExitCodes.Success : throw new CliException(missing[0], missing.Skip(1).ToList());
    }

    private List<(KindInfo Kind, string Namespace, string Name)> Targets(ParseResult parse)
    {
        var files = parse.GetValue(_files) ?? [];
        var kindName = parse.GetValue(_kind);
        var names = parse.GetValue(_names) ?? [];
        var ns = parse.GetValue(_namespace);
        if (files.Length > 0)
        {
            if (kindName is not null)
            {
                throw new CliException("give either KIND NAME... or -f FILE, not both");
            }

            return new ManifestReader(_context).Read(files, parse.GetValue(_recursive), validate: false)
                .Select(m => (CommonOptions.StoredKind(m.Object.Kind), m.Object.Metadata.Namespace ?? ns ?? Kinds.DefaultNamespace, m.Object.Metadata.Name))
                .ToList();
        }

        if (kindName is null)
        {
            throw new CliException("nothing to delete: give KIND NAME... or -f FILE");
        }

        var kind = CommonOptions.StoredKind(kindName);
        if (names.Length == 0)
        {
            throw new CliException($"give the name of the {kind.Singular} to delete: fornax delete {kindName} NAME");
        }

        return names.Select(n => (kind, ns ?? Kinds.DefaultNamespace, n)).ToList();
    }
}
