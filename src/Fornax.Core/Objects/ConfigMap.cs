using System.Text.Json.Serialization;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>Plain configuration: a map of strings, as in Kubernetes.</summary>
public sealed class ConfigMap : FornaxObject
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "ConfigMap";

    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string>? Data { get; set; }

    internal override void ValidateBody(ValidationContext context)
    {
        if (Data is null)
        {
            return;
        }

        foreach (var key in Data.Keys)
        {
            if (!Names.IsConfigMapKey(key))
            {
                context.Add($"data[{key}]", $"\"{key}\" is not a valid key (letters, digits, '-', '_', '.'; at most 253 characters)");
            }
        }
    }
}
