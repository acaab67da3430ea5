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
        }

        Labels = labels;
    }

    public string Name { get; }

    public string? Parent { get; }

    /// <summary>Path from the root joined by '/', the key of this site in every mission state map.</summary>
    public string Path { get; }

    public string Tier { get; }

    public IReadOnlyDictionary<string, string> Labels { get; }
}
