using System.Text.Json.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// The common envelope of every Fornax object: <c>apiVersion</c>, <c>kind</c>, <c>metadata</c>.
/// The <c>kind</c> property is the JSON type discriminator, so it may appear anywhere in the document.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(Site), "Site")]
[JsonDerivedType(typeof(Mission), "Mission")]
[JsonDerivedType(typeof(ConfigMap), "ConfigMap")]
[JsonDerivedType(typeof(Function), "Function")]
[JsonDerivedType(typeof(Keyspace), "Keyspace")]
[JsonDerivedType(typeof(Service), "Service")]
[JsonDerivedType(typeof(Topology), "Topology")]
public abstract class FornaxObject
{
    public string ApiVersion { get; set; } = Kinds.ApiVersion;

    [JsonIgnore]
    public abstract string Kind { get; }

    public ObjectMeta Metadata { get; set; } = new();

    /// <summary>Checks the kind-specific fields; the envelope is checked by <see cref="ObjectValidator"/>.</summary>
    internal virtual void ValidateBody(ValidationContext context)
    {
    }
}

/// <summary>An object with a desired state (<c>spec</c>) and an observed state (<c>status</c>).</summary>
public abstract class FornaxObject<TSpec, TStatus> : FornaxObject
    where TSpec : new()
{
    public TSpec Spec { get; set; } = new();

    public TStatus? Status { get; set; }
}
