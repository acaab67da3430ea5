using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fornax.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fornax.Core.Serialization;

/// <summary>
/// Converts between YAML and JSON nodes. Plain scalars resolve by the YAML 1.2 core schema (null, booleans,
/// integers, floats); quoted scalars are always strings. JSON is written back as YAML that round-trips.
/// </summary>
public static partial class YamlJson
{
    /// <summary>One parsed document and the line it starts on (1-based), for error messages.</summary>
    public readonly record struct Document(JsonNode? Node, int Line);

    /// <summary>Parses every document of a (multi-document) YAML text; empty documents are skipped.</summary>
    /// <remarks>
    /// Read from YamlDotNet's event stream with an explicit stack, never recursively, so no input can overflow the
    /// stack; nesting deeper than <see cref="MaxDepth"/> and aliases expanding past <see cref="MaxAliasNodes"/> nodes
    /// are refused as soon as the parser reaches them, before anything larger is built.
    /// </remarks>
    public static IReadOnlyList<Document> Parse(string text, string? source = null)
    {
        try
        {
            return new YamlEventReader(text).ReadAll();
        }
        catch (YamlException e)
        {
            var where = source is null ? "" : source + ": ";
            throw new ObjectValidationException(
                [new ValidationError($"{where}line {e.Start.Line}, column {e.Start.Column}", "invalid YAML: " + Innermost(e).Message)]);
        }
    }

    private static Exception Innermost(Exception e) => e.InnerException is YamlException inner ? Innermost(inner) : e;

    /// <summary>A scalar as JSON: quoted ones are strings, plain ones resolve by the YAML 1.2 core schema.</summary>
    internal static JsonNode? ToJsonScalar(Scalar scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        return Resolve(text, out var resolved) ? resolved : JsonValue.Create(text);
    }

    /// <summary>YAML 1.2 core schema resolution of a plain scalar; false when it is a string.</summary>
    private static bool Resolve(string text, out JsonNode? value)
    {
        value = null;
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return true;
            case "true" or "True" or "TRUE":
                value = JsonValue.Create(true);
                return true;
            case "false" or "False" or "FALSE":
                value = JsonValue.Create(false);
                return true;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN":
                // JSON has no infinities or NaN; keep the text and let the typed layer reject it.
                return false;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) && IsYamlInteger(text))
        {
            value = JsonValue.Create(integer);
            return true;
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            value = JsonValue.Create(hex);
            return true;
        }

        if (IsYamlFloat(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            value = JsonValue.Create(real);
            return true;
        }

        return false;
    }

    private static bool IsYamlInteger(string text) =>
        text.Length > 0 && text.TrimStart('-', '+').All(char.IsAsciiDigit) && text.TrimStart('-', '+').Length > 0;

    private static bool IsYamlFloat(string text)
    {
        var body = text.TrimStart('-', '+');
        return body.Length > 0 && (char.IsAsciiDigit(body[0]) || (body[0] == '.' && body.Length > 1 && char.IsAsciiDigit(body[1])))
            && body.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '-' or '+');
    }

    /// <summary>Writes one JSON node as a YAML document.</summary>
    public static string ToYaml(JsonNode? node)
    {
        var writer = new StringWriter();
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    /// <summary>Writes several nodes as a multi-document YAML stream separated by <c>---</c>.</summary>
    public static string ToYaml(IEnumerable<JsonNode?> nodes) => string.Join("---\n", nodes.Select(ToYaml));

    private static void Emit(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                emitter.Emit(new MappingStart(null, null, isImplicit: true, obj.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    EmitString(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, isImplicit: true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array)
                {
                    Emit(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                EmitString(emitter, value.GetValue<string>());
                break;
            default:
                emitter.Emit(new Scalar(null, null, node.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void EmitString(IEmitter emitter, string text)
    {
        // A string that would read back as something else (a number, a boolean, null) must be quoted.
        var style = text.Contains('\n') ? ScalarStyle.Literal
            : Resolve(text, out _) || text.Length == 0 || text.Trim() != text ? ScalarStyle.DoubleQuoted
            : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, isPlainImplicit: true, isQuotedImplicit: true));
    }
}
