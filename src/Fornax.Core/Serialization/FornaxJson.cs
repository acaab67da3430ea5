using System.Text.Json;
using System.Text.Json.Serialization;
using Fornax.Core.Objects;

namespace Fornax.Core.Serialization;

/// <summary>
/// Source-generated System.Text.Json metadata for every object kind. camelCase, nulls omitted, unknown
/// fields refused, and <c>kind</c> accepted anywhere in an object (YAML authors do not order keys for us).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(FornaxObject))]
[JsonSerializable(typeof(List<FornaxObject>))]
public sealed partial class FornaxJson : JsonSerializerContext
{
    private static readonly Lazy<FornaxJson> IndentedInstance = new(CreateIndented);

    /// <summary>The same contract, written indented, for people.</summary>
    public static FornaxJson Indented => IndentedInstance.Value;

    private static FornaxJson CreateIndented()
    {
        var options = new JsonSerializerOptions(Default.Options) { WriteIndented = true };
        return new FornaxJson(options);
    }
}
