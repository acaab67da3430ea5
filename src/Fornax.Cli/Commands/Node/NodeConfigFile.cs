using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Node.Hosting;

namespace Fornax.Cli.Commands.Node;

/// <summary>
/// The site config file of <c>fornax node run --config site.yaml</c>: a YAML (or JSON) map whose keys are the
/// <see cref="NodeOptions"/> property names in camelCase (<c>name</c>, <c>apiPort</c>, <c>allowCommands</c>,
/// <c>labels</c>, <c>heartbeatInterval: 5s</c>, ...). The keys come from <see cref="NodeOptions"/> itself, so an
/// option the node adds is a key here without a change. Relative paths are relative to the file.
/// </summary>
public static class NodeConfigFile
{
    private static readonly Type[] SupportedTypes =
        [typeof(string), typeof(int), typeof(long), typeof(bool), typeof(TimeSpan), typeof(IReadOnlyDictionary<string, string>)];

    /// <summary>Key → property, for every option a file can set.</summary>
    public static readonly IReadOnlyDictionary<string, PropertyInfo> Keys = typeof(NodeOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true } && SupportedTypes.Contains(p.PropertyType))
        .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);

    public static NodeOptions Load(string path, NodeOptions? defaults = null)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"site config file {path} does not exist");
        }

        return Parse(File.ReadAllText(path), path, Path.GetDirectoryName(Path.GetFullPath(path))!, defaults);
    }

    /// <summary>
    /// Reads the options a file sets over <paramref name="defaults"/> (else the <see cref="NodeOptions"/> defaults,
    /// with an empty <see cref="NodeOptions.DataDirectory"/>).
    /// </summary>
    public static NodeOptions Parse(string text, string source, string baseDirectory, NodeOptions? defaults = null)
    {
        IReadOnlyList<YamlJson.Document> documents;
        try
        {
            documents = YamlJson.Parse(text, source);
        }
        catch (ObjectValidationException e)
        {
            throw new CliException(e.Message);
        }

        // A copy: the properties are set on it below, before anyone else sees it.
        var options = (defaults ?? new NodeOptions { DataDirectory = "" }) with { };
        if (documents.Count == 0)
        {
            return options;
        }

        if (documents.Count > 1 || documents[0].Node is not JsonObject map)
        {
            throw new CliException($"{source}: expected one map of settings (name, apiPort, labels, ...)");
        }

        var problems = new List<string>();
        foreach (var (key, value) in map)
        {
            if (!Keys.TryGetValue(key, out var property))
            {
                problems.Add($"{source}: unknown key \"{key}\"{Hint(key)} (known: {string.Join(", ", Keys.Keys.Order(StringComparer.Ordinal))})");
                continue;
            }

            try
            {
                var converted = Convert(value, property.PropertyType);
                if (key is "dataDirectory" or "joinTokenFile")
                {
                    converted = Path.GetFullPath((string)converted, baseDirectory);
                }

                property.SetValue(options, converted);
            }
            catch (FormatException e)
            {
                problems.Add($"{source}: {key}: {e.Message}");
            }
        }

        if (problems.Count > 0)
        {
            throw new CliException(problems[0], problems.Skip(1).ToList());
        }

        return options;
    }

    private static object Convert(JsonNode? value, Type type)
    {
        var kind = value?.GetValueKind();
        if (type == typeof(string))
        {
            return kind is JsonValueKind.String or JsonValueKind.Number ? value!.ToString() : throw new FormatException("expected a string");
        }

        if (type == typeof(bool))
        {
            return kind is JsonValueKind.True or JsonValueKind.False ? value!.GetValue<bool>() : throw new FormatException("expected true or false");
        }

        if (type == typeof(int) || type == typeof(long))
        {
            if (kind != JsonValueKind.Number || !long.TryParse(value!.ToJsonString(), out var number))
            {
                throw new FormatException($"{Shown(value)} is not an integer");
            }

            if (type == typeof(long))
            {
                return number;
            }

            return number is >= int.MinValue and <= int.MaxValue ? (int)number : throw new FormatException($"{number} is too large");
        }

        if (type == typeof(TimeSpan))
        {
            return kind == JsonValueKind.String && Durations.TryParse(value!.GetValue<string>(), out var span)
                ? span
                : throw new FormatException($"{Shown(value)} is not a duration like 5s, 500ms or 1m");
        }

        if (value is not JsonObject labels)
        {
            throw new FormatException("expected a map of strings");
        }

        return labels.ToDictionary(
            p => p.Key,
            p => p.Value is JsonValue v && v.GetValueKind() is not (JsonValueKind.Object or JsonValueKind.Array)
                ? v.ToString()
                : throw new FormatException($"the value of \"{p.Key}\" must be a string"));
    }

    private static string Shown(JsonNode? value) => value?.ToJsonString() ?? "null";

    private static string Hint(string key) =>
        Suggestions.Nearest(key, Keys.Keys) is { } nearest ? $" (did you mean \"{nearest}\"?)" : "";
}
