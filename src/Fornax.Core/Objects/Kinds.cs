namespace Fornax.Core.Objects;

/// <summary>What the API and the CLI know about a kind: its names, as kubectl accepts them.</summary>
public sealed record KindInfo(string Kind, string Plural, string Singular, IReadOnlyList<string> ShortNames, Type ClrType, bool Stored)
{
    public bool IsNamed(string name) =>
        string.Equals(name, Kind, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, Plural, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, Singular, StringComparison.OrdinalIgnoreCase)
        || ShortNames.Contains(name, StringComparer.OrdinalIgnoreCase);
}

/// <summary>The registry of kinds. A kind added to <see cref="FornaxObject"/> is added here too.</summary>
public static class Kinds
{
    public const string ApiVersion = "fornax.io/v1";
    public const string Group = "fornax.io";
    public const string DefaultNamespace = "default";

    public static readonly IReadOnlyList<KindInfo> All =
    [
        new("Site", "sites", "site", ["st"], typeof(Site), Stored: true),
        new("Mission", "missions", "mission", ["ms"], typeof(Mission), Stored: true),
        new("ConfigMap", "configmaps", "configmap", ["cm"], typeof(ConfigMap), Stored: true),
        new("Function", "functions", "function", ["fn"], typeof(Function), Stored: true),
        new("Keyspace", "keyspaces", "keyspace", ["ks"], typeof(Keyspace), Stored: true),
        new("Service", "services", "service", ["svc"], typeof(Service), Stored: true),
        new("Topology", "topologies", "topology", ["topo"], typeof(Topology), Stored: false),
    ];

    /// <summary>Finds a kind by any of its names (kind, plural, singular, short name), case-insensitively.</summary>
    public static KindInfo? Find(string name) => All.FirstOrDefault(k => k.IsNamed(name));

    public static KindInfo Get(string name) =>
        Find(name) ?? throw new ArgumentException($"\"{name}\" is not a known kind (known: {KnownList})", nameof(name));

    public static string KnownList => string.Join(", ", All.Select(k => k.Kind));

    public static string StoredList => string.Join(", ", All.Where(k => k.Stored).Select(k => k.Kind));
}
