using System.Text.Json.Serialization;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// The file format of <c>fornax up</c>: the sites of a tree, the emulated link to each site's parent, and
/// the port base. Not stored at a site.
/// </summary>
public sealed class Topology : FornaxObject<TopologySpec, TopologyStatus>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "Topology";

    internal override void ValidateBody(ValidationContext context)
    {
        var sites = Spec.Sites ?? [];
        if (sites.Count == 0)
        {
            context.Add("spec.sites", "at least one site is required");
            return;
        }

        var names = new HashSet<string>();
        for (var i = 0; i < sites.Count; i++)
        {
            var site = sites[i];
            if (!Names.IsDnsLabel(site.Name))
            {
                context.Add($"spec.sites[{i}].name", $"\"{site.Name}\" is not a valid site name (lowercase letters, digits and '-')");
            }
            else if (!names.Add(site.Name))
            {
                context.Add($"spec.sites[{i}].name", $"\"{site.Name}\" appears twice");
            }

            if (site.Tier is { } tier && !SiteTiers.All.Contains(tier))
            {
                context.Add($"spec.sites[{i}].tier", $"\"{tier}\" is not one of {string.Join(", ", SiteTiers.All)}");
            }

            if (site.Capacity is < 1)
            {
                context.Add($"spec.sites[{i}].capacity", $"{site.Capacity} is not a positive number of slots");
            }

            site.Link?.Validate(context, $"spec.sites[{i}].link");
            Names.ValidateLabels(site.Labels, context, $"spec.sites[{i}].labels");
        }

        var roots = sites.Where(s => string.IsNullOrEmpty(s.Parent)).ToList();
        if (roots.Count != 1)
        {
            context.Add("spec.sites", $"exactly one site must have no parent (the root); found {roots.Count}");
        }

        for (var i = 0; i < sites.Count; i++)
        {
            if (sites[i].Parent is { Length: > 0 } parent && !names.Contains(parent))
            {
                context.Add($"spec.sites[{i}].parent", $"\"{parent}\" is not a site of this topology");
            }
        }

        if (roots.Count == 1 && context.Count == 0)
        {
            CheckForCycles(sites, context);
        }

        if (Spec.BasePort is { } port && (port < 1024 || port > 65000))
        {
            context.Add("spec.basePort", $"{port} is not between 1024 and 65000");
        }

        if (Spec.Heartbeat is { } hb && (!Durations.TryParse(hb, out var span) || span <= TimeSpan.Zero))
        {
            context.Add("spec.heartbeat", $"\"{hb}\" is not a positive duration like 5s");
        }
    }

    private static void CheckForCycles(List<TopologySite> sites, ValidationContext context)
    {
        var parentOf = sites.ToDictionary(s => s.Name, s => s.Parent);
        foreach (var site in sites)
        {
            var seen = new HashSet<string>();
            for (var current = site.Name; !string.IsNullOrEmpty(current); current = parentOf[current])
            {
                if (!seen.Add(current))
                {
                    context.Add("spec.sites", $"the parents of \"{site.Name}\" form a cycle");
                    return;
                }
            }
        }
    }
}

public sealed class TopologySpec
{
    /// <summary>First port (default 7100); each site takes four consecutive ports (API, ingress, RESP, link) in file order.</summary>
    public int? BasePort { get; set; }

    /// <summary>Heartbeat interval for every site, e.g. <c>5s</c>.</summary>
    public string? Heartbeat { get; set; }

    public List<TopologySite>? Sites { get; set; }
}

public sealed class TopologySite
{
    public string Name { get; set; } = "";

    public string? Parent { get; set; }

    public string? Tier { get; set; }

    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string>? Labels { get; set; }

    public bool? AllowCommands { get; set; }

    /// <summary>The site's concurrency slots for function invocations (its <c>capacity</c>); null: one per core.</summary>
    public int? Capacity { get; set; }

    /// <summary>The emulated link between this site and its parent.</summary>
    public LinkProfile? Link { get; set; }
}

/// <summary>Latency, bandwidth and loss of an emulated link.</summary>
public sealed class LinkProfile
{
    /// <summary>One-way latency, e.g. <c>40ms</c>.</summary>
    public string? Latency { get; set; }

    /// <summary>Bandwidth such as <c>10Mbit</c>, <c>512kbit</c> or <c>1Gbit</c>.</summary>
    public string? Bandwidth { get; set; }

    /// <summary>Packet (chunk) loss rate between 0 and 1.</summary>
    public double? Loss { get; set; }

    internal void Validate(ValidationContext context, string path)
    {
        if (Latency is { } latency && (!Durations.TryParse(latency, out var span) || span < TimeSpan.Zero))
        {
            context.Add($"{path}.latency", $"\"{latency}\" is not a duration like 40ms");
        }

        if (Bandwidth is { } bandwidth && !Bandwidths.TryParse(bandwidth, out _))
        {
            context.Add($"{path}.bandwidth", $"\"{bandwidth}\" is not a bandwidth like 10Mbit or 512kbit");
        }

        if (Loss is { } loss && (loss < 0 || loss >= 1))
        {
            context.Add($"{path}.loss", $"{loss} is not between 0 and 1");
        }
    }
}

/// <summary>A topology file has no observed state; the type exists so the envelope is uniform.</summary>
public sealed class TopologyStatus
{
}
