using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;

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

    /// <summary>
    /// Refuses option-like tokens (<c>--bogus</c>) as argument values: without this an unknown option after
    /// <c>get ms</c> would be taken for a NAME.
    /// </summary>
    public static Argument<T> WithoutOptionTokens<T>(this Argument<T> argument)
    {
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')))
            {
                result.AddError($"unknown option {token.Value}");
            }
        });
        return argument;
    }

    // Relaxed escaping: timestamps keep their '+' and text its accents; the output is for terminals and files, not HTML.
    public static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ToIndentedJson(JsonNode node) => Ordered(node)!.ToJsonString(IndentedJson);

    public static string ToYaml(IEnumerable<JsonObject> objects) => YamlJson.ToYaml(objects.Select(Ordered));

    private static readonly string[] Leading = ["apiVersion", "kind", "metadata", "spec", "data", "status"];

    /// <summary>Objects printed as people write them: apiVersion, kind, metadata, spec (or data), status, then the rest.</summary>
    public static JsonNode? Ordered(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var keys = obj.Select(p => p.Key).ToList();
                if (obj.ContainsKey("apiVersion") && obj.ContainsKey("kind"))
                {
                    keys = [.. Leading.Where(obj.ContainsKey), .. keys.Except(Leading)];
                }

                var ordered = new JsonObject();
                foreach (var key in keys)
                {
                    ordered[key] = Ordered(obj[key]);
                }

                return ordered;
            case JsonArray array:
                return new JsonArray([.. array.Select(Ordered)]);
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>A kubectl-style <c>List</c> of the given objects.</summary>
    public static JsonObject ListOf(IEnumerable<JsonObject> items) => new()
    {
        ["apiVersion"] = Kinds.ApiVersion,
        ["kind"] = "List",
        ["items"] = new JsonArray(items.Select(i => (JsonNode)i.DeepClone()).ToArray()),
    };
}
