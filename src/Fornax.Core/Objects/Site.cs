using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// A site of the tree (the EdgeCluster of the original design). Each site stores a <c>Site</c> for itself
/// and for every site of its subtree; the status rolls health and missions up the tree.
/// </summary>
public sealed class Site : FornaxObject<SiteSpec, SiteStatus>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "Site";

    internal override void ValidateBody(ValidationContext context)
    {
        if (!Names.IsDnsLabel(Metadata.Name))
        {
            context.Add("metadata.name", $"\"{Metadata.Name}\" is not a valid site name (lowercase letters, digits and '-', at most 63 characters)");
        }

        if (Spec.Tier is { } tier && !SiteTiers.All.Contains(tier))
        {
            context.Add("spec.tier", $"\"{tier}\" is not one of {string.Join(", ", SiteTiers.All)}");
        }

        if (Spec.Parent is { Length: > 0 } parent && !Names.IsDnsLabel(parent))
        {
            context.Add("spec.parent", $"\"{parent}\" is not a valid site name");
        }
    }
}

/// <summary>Where a site sits in the tree.</summary>
public sealed class SiteSpec
{
    /// <summary>Name of the parent site; empty at the root.</summary>
    public string? Parent { get; set; }

    /// <summary><c>cloud</c>, <c>region</c> or <c>edge</c>.</summary>
    public string? Tier { get; set; }
}

public static class SiteTiers
{
    public const string Cloud = "cloud";
    public const string Region = "region";
    public const string Edge = "edge";

    public static readonly IReadOnlyList<string> All = [Cloud, Region, Edge];
}

/// <summary>What a site reports about itself (and, at a parent, what it last heard from a child).</summary>
public sealed class SiteStatus
{
    /// <summary>Path from the root, e.g. <c>cloud/east/shop-12</c>.</summary>
    public string? Path { get; set; }

    public bool? Healthy { get; set; }

    /// <summary><c>Ready</c>, <c>Offline</c> or <c>Unknown</c>.</summary>
    public string? Phase { get; set; }

    public DateTimeOffset? LastHeartbeat { get; set; }

    public SiteEndpoints? Endpoints { get; set; }

    public List<string>? Children { get; set; }

    public SiteMissionCounts? Missions { get; set; }
}

/// <summary>The URLs a site serves on.</summary>
public sealed class SiteEndpoints
{
    public string? Api { get; set; }

    public string? Ingress { get; set; }

    public string? Resp { get; set; }
}

public sealed class SiteMissionCounts
{
    public int Received { get; set; }

    public int Active { get; set; }
}

/// <summary>The phases a <c>Site</c>'s status can show (docs/objects.md).</summary>
public static class SitePhases
{
    /// <summary>Its heartbeats arrive.</summary>
    public const string Ready = "Ready";

    /// <summary>Its parent declared it offline: its heartbeats stopped.</summary>
    public const string Offline = "Offline";

    /// <summary>Not healthy, and no parent said why.</summary>
    public const string Unknown = "Unknown";
}
