using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// Makes the KV keys that start with <c>spec.prefix</c> replicated among the sites <c>spec.placement</c> selects (with a
/// mission's placement semantics, among the sites the carrying mission reaches). Keys outside every keyspace stay at
/// their site.
/// </summary>
public sealed class Keyspace : FornaxObject<KeyspaceSpec, KeyspaceStatus>
{
    /// <summary>Longest prefix accepted: keys are matched by prefix on every write, so it stays short.</summary>
    public const int MaxPrefixBytes = 256;

    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "Keyspace";

    internal override void ValidateBody(ValidationContext context)
    {
        if (string.IsNullOrEmpty(Spec.Prefix))
        {
            context.Add("spec.prefix", "required: the start of the keys this keyspace replicates, e.g. \"cart:\"");
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(Spec.Prefix) > MaxPrefixBytes)
        {
            context.Add("spec.prefix", $"\"{Spec.Prefix[..16]}…\" is longer than {MaxPrefixBytes} bytes");
        }
        else if (Spec.Prefix.IndexOfAny(['*', '?', '[']) >= 0)
        {
            context.Add("spec.prefix", $"\"{Spec.Prefix}\" is a literal prefix, not a pattern: it must not contain *, ? or [");
        }

        Spec.Placement?.Validate(context, "spec.placement");
    }
}

public sealed class KeyspaceSpec
{
    /// <summary>The start of every key of this keyspace (a literal, compared byte by byte).</summary>
    public string? Prefix { get; set; }

    /// <summary>Which sites hold a replica; empty = every site the carrying mission reaches.</summary>
    public Placement? Placement { get; set; }
}

/// <summary>What the sites at and under the site that shows it report about the keyspace.</summary>
public sealed class KeyspaceStatus
{
    /// <summary>The most keys any site holds (replicas converge to the same keys; one with fewer is still catching up).</summary>
    public long Keys { get; set; }

    /// <summary>The most bytes any site holds (keys, values and merge metadata).</summary>
    public long Bytes { get; set; }

    /// <summary>Site path → its figures, for every site holding the keyspace (a replica or a relay).</summary>
    public Dictionary<string, KeyspaceSiteStatus>? Sites { get; set; }
}

/// <summary>One site's copy of a keyspace.</summary>
public sealed class KeyspaceSiteStatus
{
    /// <summary>True when the placement selects the site; false when the site only relays the keyspace between neighbours.</summary>
    public bool Replica { get; set; }

    /// <summary>Why the site holds it: <c>placement</c>, <c>promoted: …</c> (its functions kept reading it over the link), <c>relay</c>.</summary>
    public string? Reason { get; set; }

    public long Keys { get; set; }

    public long Bytes { get; set; }

    /// <summary>Changed keys the site's neighbours have not acknowledged (summed over them).</summary>
    public long Pending { get; set; }

    /// <summary>Age of the oldest of those changes, in seconds (0 when none is pending).</summary>
    public double LagSeconds { get; set; }
}
