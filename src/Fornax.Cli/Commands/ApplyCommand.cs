using System.CommandLine;
using Fornax.Cli.Configuration;
using Fornax.Cli.Manifests;
using Fornax.Cli.Output;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

namespace Fornax.Cli.Commands;

/// <summary>
/// <c>fornax apply -f FILE|DIR|- ...</c>: validates every document of every input first (one invalid document
/// and nothing is sent), uploads Function modules as blobs, then applies each object with PUT and prints
/// <c>mission.fornax.io/NAME created|configured|unchanged</c>.
/// </summary>
internal sealed class ApplyCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Option<string[]> _files = CommonOptions.Filename("apply");
    private readonly Option<bool> _recursive = CommonOptions.Recursive();
    private readonly Option<string> _namespace = CommonOptions.Namespace();
    private readonly Option<string> _output = CommonOptions.Output("", OutputFormat.Name, OutputFormat.Json, OutputFormat.Yaml);

    public ApplyCommand(CliContext context, SiteTargets sites)
        : base("apply", "Create or update objects from YAML or JSON files")
    {
        _context = context;
        _sites = sites;
        _files.Required = true;
        Options.Add(_files);
        Options.Add(_recursive);
        Options.Add(_namespace);
        Options.Add(_output);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        IReadOnlyList<Manifest> manifests;
        IReadOnlyDictionary<string, byte[]> blobs;
        try
        {
            manifests = new ManifestReader(_context).Read(parse.GetValue(_files)!, parse.GetValue(_recursive), validate: true);
            CheckKinds(manifests);
            ApplyNamespace(manifests, parse.GetValue(_namespace));
            blobs = FunctionModules.Resolve(manifests);
        }
        catch (CliException e)
        {
            throw new CliException(e.Message, [.. e.Details, "nothing was applied"]);
        }

        var output = parse.GetValue(_output);
        using var client = _sites.Connect(parse);
        var applied = await Applier.ApplyAsync(client, [.. manifests.Select(m => m.Object)], blobs, result =>
        {
            if (output is "" or OutputFormat.Name)
            {
                var name = OutputFormat.QualifiedName(result.Sent);
                _context.WriteRaw(output == OutputFormat.Name ? name : $"{name} {result.Outcome}");
            }
        }, ct);

        switch (output)
        {
            case OutputFormat.Json:
                _context.WriteRaw(CommonOptions.ToIndentedJson(applied.Count == 1 ? applied[0].Stored : CommonOptions.ListOf(applied.Select(a => a.Stored))));
                break;
            case OutputFormat.Yaml:
                _context.WriteRaw(CommonOptions.ToYaml(applied.Select(a => a.Stored)));
                break;
        }

        return ExitCodes.Success;
    }

    private static void CheckKinds(IReadOnlyList<Manifest> manifests)
    {
        if (manifests.FirstOrDefault(m => !Kinds.Get(m.Object.Kind).Stored) is { } topology)
        {
            throw new CliException($"{topology.Source}: {topology.Object.Kind} \"{topology.Object.Metadata.Name}\" is a file format for 'fornax up -f', not an object to apply");
        }
    }

    /// <summary>As kubectl: <c>-n</c> fills in a missing namespace and must agree with one that is given.</summary>
    private static void ApplyNamespace(IReadOnlyList<Manifest> manifests, string? ns)
    {
        if (ns is null)
        {
            return;
        }

        foreach (var manifest in manifests)
        {
            var meta = manifest.Object.Metadata;
            if (meta.Namespace is { Length: > 0 } own && own != ns)
            {
                throw new CliException($"{manifest.Source}: {manifest.Object.Kind} \"{meta.Name}\" is in namespace \"{own}\", which does not match -n {ns}");
            }

            meta.Namespace = ns;
        }
    }
}
