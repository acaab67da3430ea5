using System.Text.Json.Serialization;

namespace Fornax.Node.Hosting;

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string?>), TypeInfoPropertyName = "DictionaryStringString")]
internal sealed partial class NodeJson : JsonSerializerContext
{
}
