using System.CommandLine;
using System.Text.Json.Nodes;
using Fornax.Cli.Api;
using Fornax.Cli.Configuration;
using Fornax.Cli.Output;
using Fornax.Core.Selectors;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

namespace Fornax.Cli.Commands;

/// <summary><c>fornax get KIND [NAME] [-n NS | -A] [-o table|wide|json|yaml|name] [-l SELECTOR]</c>.</summary>
internal sealed class GetCommand : Command
{
    private readonly CliContext _context;
    private readonly SiteTargets _sites;
    private readonly Argument<string> _kind = new Argument<string>("KIND") { Description = "The kind: singular, plural or short name (missions, ms, cm, ...)" }.WithoutOptionTokens();
    private readonly Argument<string?> _name = new Argument<string?>("NAME") { Description = "One object's name; all of them when omitted", Arity = ArgumentArity.ZeroOrOne }.WithoutOptionTokens();
    private readonly Option<string> _namespace = CommonOptions.Namespace();
    private readonly Option<bool> _allNamespaces = new("--all-namespaces", "-A") { Description = "List across all namespaces" };
    private readonly Option<string> _selector = new("--selector", "-l") { Description = "Filter by labels, kubectl syntax: tier=edge,app!=x,env in (a,b),!gone" };
    private readonly Option<string> _output = CommonOptions.Output(OutputFormat.Table, OutputFormat.Table, OutputFormat.Wide, OutputFormat.Json, OutputFormat.Yaml, OutputFormat.Name);

    public GetCommand(CliContext context, SiteTargets sites)
        : base("get", "List objects, or show one")
    {
        _context = context;
        _sites = sites;
        Arguments.Add(_kind);
        Arguments.Add(_name);
        Options.Add(_namespace);
        Options.Add(_allNamespaces);
        Options.Add(_selector);
        Options.Add(_output);
        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var kind = CommonOptions.StoredKind(parse.GetValue(_kind)!);
        var name = parse.GetValue(_name);
        var all = parse.GetValue(_allNamespaces);
        var ns = parse.GetValue(_namespace) ?? Kinds.DefaultNamespace;
        var selector = parse.GetValue(_selector) is { } text ? SelectorSyntax.Parse(text) : null;
        var output = parse.GetValue(_output)!;
        if (name is not null && (selector is not null || all))
        {
            throw new CliException("a NAME cannot be combined with --selector or --all-namespaces");
        }

        using var client = _sites.Connect(parse);
        if (name is not null)
        {
            var obj = await client.GetAsync(kind, ns, name, ct);
            await PrintAsync(client, kind, [obj], single: true, output, all, ct);
            return ExitCodes.Success;
        }

        if (kind.Kind == "Service" && output == OutputFormat.Wide && selector is null)
        {
            // The portal's view: Service objects and deployed functions across the tree, where each is served and how a
            // request from this site goes.
            _context.Out.Write(ServiceRoutesTable.Build(await client.GetServicesAsync(ct), all ? null : ns));
            return ExitCodes.Success;
        }

        var list = await client.ListAsync(kind, all ? null : ns, ct);
        var items = (list["items"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(item => selector is null || selector.Matches(LabelsOf(item)))
            .OrderBy(item => item["metadata"]?["namespace"]?.GetValue<string>() ?? Kinds.DefaultNamespace, StringComparer.Ordinal)
            .ThenBy(item => item["metadata"]?["name"]?.GetValue<string>(), StringComparer.Ordinal)
            .ToList();
        if (items.Count == 0 && output is not OutputFormat.Json)
        {
            _context.Error.Profile.Out.Writer.WriteLine(all ? "No resources found" : $"No resources found in {ns} namespace.");
            return ExitCodes.Success;
        }

        if (output == OutputFormat.Json)
        {
            var filtered = (JsonObject)list.DeepClone();
            filtered["items"] = new JsonArray(items.Select(i => (JsonNode)i.DeepClone()).ToArray());
            _context.WriteRaw(CommonOptions.ToIndentedJson(filtered));
            return ExitCodes.Success;
        }

        await PrintAsync(client, kind, items, single: false, output, all, ct);
        return ExitCodes.Success;
    }

    private async Task PrintAsync(SiteClient client, KindInfo kind, IReadOnlyList<JsonObject> items, bool single, string output, bool allNamespaces, CancellationToken ct)
    {
        switch (output)
        {
            case OutputFormat.Json:
                _context.WriteRaw(CommonOptions.ToIndentedJson(single ? items[0] : CommonOptions.ListOf(items)));
                break;
            case OutputFormat.Yaml:
                _context.WriteRaw(CommonOptions.ToYaml(items));
                break;
            case OutputFormat.Name:
                foreach (var item in items)
                {
                    _context.WriteRaw(OutputFormat.QualifiedName(kind.Kind, item["metadata"]?["name"]?.GetValue<string>() ?? ""));
                }

                break;
            default:
                var objects = items.Select(i => ObjectSerializer.FromJson(i, $"the site's {kind.Singular}")).ToList();
                if (kind.Kind == "Site" && !single && !allNamespaces)
                {
                    // The sites of a subtree read best as the tree they are.
                    _context.Out.Write(SiteTree.Build(objects.Cast<Site>().ToList(), output == OutputFormat.Wide, _context.Time.GetUtcNow()));
                    break;
                }

                var stats = kind.Kind == "Function" && output == OutputFormat.Wide ? await client.GetFunctionStatsAsync(ct) : null;
                _context.Out.Write(ObjectTable.Build(kind, objects, output == OutputFormat.Wide, allNamespaces, _context.Time.GetUtcNow(), stats));
                break;
        }
    }

    /// <summary>Labels straight from the JSON, so filtering does not depend on this CLI knowing every field.</summary>
    private static Dictionary<string, string> LabelsOf(JsonObject item) =>
        (item["metadata"]?["labels"] as JsonObject ?? [])
            .Where(p => p.Value is JsonValue)
            .ToDictionary(p => p.Key, p => p.Value!.ToString());
}
