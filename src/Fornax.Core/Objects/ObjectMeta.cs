using System.Text.Json.Serialization;
using Fornax.Core.Serialization;

namespace Fornax.Core.Objects;

/// <summary>Standard object metadata, as in Kubernetes. The store owns the server-set fields.</summary>
public sealed class ObjectMeta
{
    public string Name { get; set; } = "";

    /// <summary>Namespace of the object; <c>default</c> when omitted.</summary>
    public string? Namespace { get; set; }

    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string>? Labels { get; set; }

    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>
    /// Set by the site's store on every write; a client sends it back as an optimistic-concurrency precondition.
    /// Read from a number or a string, since Kubernetes users write it quoted (<c>resourceVersion: "12"</c>).
    /// </summary>
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? ResourceVersion { get; set; }

    /// <summary>Bumped by the store when anything but metadata and status changes.</summary>
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Generation { get; set; }

    public DateTimeOffset? CreationTimestamp { get; set; }

    public string? Uid { get; set; }

    /// <summary>
    /// Which field manager owns which fields, as server-side apply records them (Kubernetes' <c>managedFields</c>,
    /// <c>fieldsV1</c> format). Set by the site; kept as JSON since only the apply handler reads it.
    /// </summary>
    public System.Text.Json.Nodes.JsonArray? ManagedFields { get; set; }

    /// <summary>The namespace, with the default applied.</summary>
    [JsonIgnore]
    public string NamespaceOrDefault => string.IsNullOrEmpty(Namespace) ? Kinds.DefaultNamespace : Namespace;
}
