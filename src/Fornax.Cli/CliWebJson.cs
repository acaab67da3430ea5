using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Fornax.Cli;

/// <summary>
/// Source-generated metadata (no reflection: Native AOT) for reading a site's JSON answers as nodes, with the web
/// defaults that <c>GetFromJsonAsync</c> used without options.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class CliWebJson : JsonSerializerContext;
