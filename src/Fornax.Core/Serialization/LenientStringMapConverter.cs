using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fornax.Core.Serialization;

/// <summary>
/// Reads a string map whose values may be written as YAML numbers or booleans (<c>version: 2</c>),
/// keeping their text. Labels, annotations, env and ConfigMap data are strings; people forget the quotes.
/// </summary>
public sealed class LenientStringMapConverter : JsonConverter<Dictionary<string, string>>
{
    public override Dictionary<string, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected a map of strings");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            map[key] = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => "",
                _ => throw new JsonException($"the value of \"{key}\" must be a string"),
            };
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, item) in value)
        {
            writer.WriteString(key, item);
        }

        writer.WriteEndObject();
    }
}
