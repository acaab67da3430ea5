using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;

namespace Fornax.Cli.Commands;

/// <summary>The options several commands share, made fresh for each command.</summary>
internal static class CommonOptions
{
    public static Option<string> Namespace() => new("--namespace", "-n")
    {
        Description = $"The namespace (default: {Kinds.DefaultNamespace})",
    };

    public static Option<string[]> Filename(string verb) => new("--filename", "-f")
    {
        Description = $"A YAML or JSON file, a folder of them, or - for standard input, to {verb} (repeatable)",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> Recursive() => new("--recursive", "-R")
    {
        Description = "Read the folders given with -f and all their subfolders",
    };

    public static Option<string> Output(string defaultFormat, params string[] formats)
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = $"Output format: {string.Join(", ", formats)}",
            DefaultValueFactory = _ => defaultFormat,
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>Finds a stored kind by any of its names, or fails with the list of kinds a site knows.</summary>
    public static KindInfo StoredKind(string name)
    {
        var kind = Kinds.Find(name) ?? throw new CliException($"unknown kind \"{name}\" (known: {KnownKinds})");
        if (!kind.Stored)
        {
            throw new CliException($"{kind.Kind} is a file format for 'fornax up', not an object a site stores (known: {KnownKinds})");
        }

        return kind;
    }

    public static string KnownKinds => string.Join(", ", Kinds.All.Where(k => k.Stored).Select(k => $"{k.Plural} ({string.Join(", ", k.ShortNames)})"));

    public static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    public static string ToIndentedJson(JsonNode node) => node.ToJsonString(IndentedJson);

    /// <summary>A kubectl-style <c>List</c> of the given objects.</summary>
    public static JsonObject ListOf(IEnumerable<JsonObject> items) => new()
    {
        ["apiVersion"] = Kinds.ApiVersion,
        ["kind"] = "List",
        ["items"] = new JsonArray(items.Select(i => (JsonNode)i.DeepClone()).ToArray()),
    };
}
