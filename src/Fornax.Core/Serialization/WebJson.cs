using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fornax.Core.Serialization;

/// <summary>
/// Source-generated System.Text.Json metadata (no reflection: Native AOT) for JSON nodes with the web defaults — what
/// <c>Results.Json</c>, <c>PostAsJsonAsync</c>, <c>ReadFromJsonAsync</c> and <c>GetFromJsonAsync</c> used without
/// options (and, for writing a node, what <c>JsonSerializer</c>'s own defaults write too: the same encoder, not
/// indented), so no answer or request changes by a byte. Shared by the site's API, the join client and the CLI.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class WebJson : JsonSerializerContext;
