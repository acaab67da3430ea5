using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fornax.Core.Objects;
using Fornax.Core.Validation;

namespace Fornax.Core.Serialization;

/// <summary>
/// Reads objects from YAML or JSON (one or many documents) and writes them back. Reading reports every
/// unknown field and type mismatch with its path; <see cref="ParseDocuments"/> also validates.
/// </summary>
public static partial class ObjectSerializer
{
    /// <summary>
    /// Parses and validates every document of a YAML or JSON text. A JSON array, or an object of kind
    /// <c>List</c> with <c>items</c>, yields its items. Throws <see cref="ObjectValidationException"/>.
    /// </summary>
    public static IReadOnlyList<FornaxObject> ParseDocuments(string text, string? source = null, bool validate = true)
    {
        var objects = new List<FornaxObject>();
        var documents = YamlJson.Parse(text, source);
        for (var d = 0; d < documents.Count; d++)
        {
            var subject = Describe(source, documents.Count > 1 ? d + 1 : null, documents[d].Line);
            foreach (var node in Flatten(documents[d].Node))
            {
                var obj = FromJson(node, subject);
                if (validate)
                {
                    var errors = ObjectValidator.Validate(obj);
                    if (errors.Count > 0)
                    {
                        throw new ObjectValidationException(errors, $"{subject}{obj.Kind} \"{obj.Metadata.Name}\"".TrimStart());
                    }
                }

                objects.Add(obj);
            }
        }

        return objects;
    }

    /// <summary>Reads one object from a JSON node without validating its values.</summary>
    public static FornaxObject FromJson(JsonNode? node, string? subject = null)
    {
        if (node is not JsonObject obj)
        {
            throw new ObjectValidationException([new ValidationError("(document)", "expected an object with apiVersion, kind and metadata")], subject);
        }

        var context = new ValidationContext();
        if (obj["apiVersion"] is null)
        {
            context.Add("apiVersion", $"required ({Kinds.ApiVersion})");
        }

        UnknownFields.Check(obj, FornaxJson.Default.FornaxObject, "", context);
        if (context.Count > 0)
        {
            throw new ObjectValidationException(context.Errors, subject?.TrimEnd(' ', ':'));
        }

        try
        {
            return obj.Deserialize(FornaxJson.Default.FornaxObject)
                ?? throw new ObjectValidationException([new ValidationError("(document)", "is null")], subject);
        }
        catch (JsonException e)
        {
            throw new ObjectValidationException([TypeError(e)], subject?.TrimEnd(' ', ':'));
        }
    }

    /// <summary>Reads one object from JSON text without validating its values.</summary>
    public static FornaxObject FromJson(string json, string? subject = null)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ObjectValidationException([new ValidationError($"line {e.LineNumber + 1}", "invalid JSON: " + FirstSentence(e.Message))], subject);
        }

        return FromJson(node, subject);
    }

    public static T FromJson<T>(JsonNode? node)
        where T : FornaxObject =>
        FromJson(node) as T ?? throw new ObjectValidationException([new ValidationError("kind", $"expected {typeof(T).Name}")]);

    public static JsonObject ToJsonObject(FornaxObject obj) =>
        (JsonObject)JsonSerializer.SerializeToNode(obj, FornaxJson.Default.FornaxObject)!;

    public static string ToJson(FornaxObject obj, bool indented = false) =>
        JsonSerializer.Serialize(obj, indented ? FornaxJson.Indented.FornaxObject : FornaxJson.Default.FornaxObject);

    public static string ToYaml(FornaxObject obj) => YamlJson.ToYaml(ToJsonObject(obj));

    private static IEnumerable<JsonNode?> Flatten(JsonNode? node) => node switch
    {
        JsonArray array => array,
        JsonObject obj when obj["kind"]?.GetValueKind() == JsonValueKind.String
            && obj["kind"]!.GetValue<string>() == "List" && obj["items"] is JsonArray items => items,
        _ => [node],
    };

    private static string Describe(string? source, int? document, int line)
    {
        var parts = new List<string>();
        if (source is not null)
        {
            parts.Add(source);
        }

        if (document is not null)
        {
            parts.Add($"document {document} (line {line})");
        }

        return parts.Count == 0 ? "" : string.Join(" ", parts) + ": ";
    }

    private static ValidationError TypeError(JsonException e)
    {
        var path = (e.Path ?? "$").TrimStart('$').TrimStart('.');
        var match = ConvertedTo().Match(e.Message);
        var expected = match.Success ? Friendly(match.Groups[1].Value) : null;
        return new ValidationError(
            path.Length == 0 ? "(document)" : path,
            expected is null ? FirstSentence(e.Message) : $"has the wrong type (expected {expected})");
    }

    private static string Friendly(string clrType) => clrType switch
    {
        _ when clrType.Contains("Int", StringComparison.Ordinal) => "an integer",
        _ when clrType.Contains("Double", StringComparison.Ordinal) => "a number",
        _ when clrType.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when clrType.Contains("String", StringComparison.Ordinal) && !clrType.Contains("Dictionary", StringComparison.Ordinal) && !clrType.Contains("List", StringComparison.Ordinal) => "a string",
        _ when clrType.Contains("List", StringComparison.Ordinal) => "a list",
        _ when clrType.Contains("Dictionary", StringComparison.Ordinal) => "a map",
        _ when clrType.Contains("DateTimeOffset", StringComparison.Ordinal) => "an RFC 3339 timestamp",
        _ => "an object",
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..end];
    }

    [GeneratedRegex(@"could not be converted to ([\w.`\[\], ]+?)\. Path")]
    private static partial Regex ConvertedTo();
}
