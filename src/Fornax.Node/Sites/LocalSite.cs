using Fornax.Core.Objects;
using Fornax.Node.Hosting;

namespace Fornax.Node.Sites;

/// <summary>
/// Who this site is: its name, its path from the root and its labels (the configured ones plus the
/// built-in <c>fornax.io/site</c>, <c>fornax.io/tier</c> and <c>fornax.io/parent</c>).
/// </summary>
public sealed class LocalSite
{
    public const string SiteLabel = "fornax.io/site";
    public const string TierLabel = "fornax.io/tier";
    public const string ParentLabel = "fornax.io/parent";

    /// <summary>
    /// <c>emulated</c> on a site whose uplink runs through the link emulator (<c>fornax up</c>, the test harness); with
    /// <see cref="LinkLatencyLabel"/>, <see cref="LinkBandwidthLabel"/> and <see cref="LinkLossLabel"/> from its profile.
    /// Labels travel up the tree with every heartbeat, so the root (and its dashboard) knows each link's profile.
    /// </summary>
    public const string LinkLabel = "fornax.io/link";
    public const string LinkLatencyLabel = "fornax.io/link-latency";
    public const string LinkBandwidthLabel = "fornax.io/link-bandwidth";
    public const string LinkLossLabel = "fornax.io/link-loss";

    public LocalSite(NodeOptions options, string? parent = null, string? parentPath = null)
    {
        Name = options.Name;
        Parent = parent;
        Path = parentPath is null ? options.Name : $"{parentPath}/{options.Name}";
        Tier = options.Tier ?? (parent is null ? SiteTiers.Cloud : SiteTiers.Edge);
        var labels = new Dictionary<string, string>(options.Labels)
        {
            [SiteLabel] = Name,
            [TierLabel] = Tier,
        };
        if (parent is not null)
        {
            labels[ParentLabel] = parent;
            if (options.UplinkEmulator is not null)
            {
                AddLinkLabels(labels, options.Uplink);
            }
        }

        Labels = labels;
    }

    private static void AddLinkLabels(Dictionary<string, string> labels, LinkProfile? profile)
    {
        labels[LinkLabel] = "emulated";
        if (profile?.Latency is { Length: > 0 } latency)
        {
            labels[LinkLatencyLabel] = latency;
        }

        if (profile?.Bandwidth is { Length: > 0 } bandwidth)
        {
            labels[LinkBandwidthLabel] = bandwidth;
        }

        if (profile?.Loss is { } loss)
        {
            labels[LinkLossLabel] = loss.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public string Name { get; }

    public string? Parent { get; }

    /// <summary>Path from the root joined by '/', the key of this site in every mission state map.</summary>
    public string Path { get; }

    public string Tier { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }
}
