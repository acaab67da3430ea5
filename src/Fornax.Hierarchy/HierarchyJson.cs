using System.Text.Json;
using System.Text.Json.Serialization;
using Fornax.Hierarchy.Identity;

namespace Fornax.Hierarchy;

/// <summary>
/// Source-generated System.Text.Json metadata for what this assembly writes and reads (no reflection: Native AOT).
/// The options are those the call sites used before: the web defaults (camelCase, case-insensitive reading, numbers
/// readable from strings), indented, nulls omitted — the token file is byte for byte what it was.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JsonFileTokenStore.TokenFile))]
internal sealed partial class HierarchyJson : JsonSerializerContext
{
}
