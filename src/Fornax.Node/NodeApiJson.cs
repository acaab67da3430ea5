using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fornax.Node;

/// <summary>
/// Source-generated System.Text.Json metadata (no reflection: Native AOT) for the site's HTTP answers, watch lines,
/// dashboard events and the tree host's calls, all of them JSON nodes. The web defaults are what <c>Results.Json</c>,
/// <c>PostAsJsonAsync</c> and <c>ReadFromJsonAsync</c> used without options (and, for writing a node, what
/// <c>JsonSerializer</c>'s own defaults write too: the same encoder, not indented), so no answer changes by a byte.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class NodeApiJson : JsonSerializerContext;
