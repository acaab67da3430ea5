using Fornax.Portal;

namespace Fornax.Node.Locality;

/// <summary>
/// The keyspaces this site holds a replica of, and why: those whose <c>spec.placement</c> selects it (kept by
/// <see cref="Kv.KeyspaceController"/>) and those it took on because its functions kept reading them over the link
/// (<see cref="ReplicaPromoter"/>). Their prefixes are the store's own replicated prefixes: a promotion makes the links
/// carry the keyspace here and catch it up by anti-entropy, a drop removes the copy. Thread-safe.
/// </summary>
internal sealed class KeyspaceHoldings(Kv.SiteKvStore store)
{
    /// <summary>Why a replica placed by its keyspace's <c>spec.placement</c> is here.</summary>
    public const string PlacementReason = "placement";

    private readonly Lock _gate = new();
    private Dictionary<(string Namespace, string Name), string> _placed = [];
    private readonly Dictionary<(string Namespace, string Name), (string Prefix, string Reason)> _promoted = [];
    private List<string>? _applied;

    /// <summary>The keyspaces whose placement selects this site, with their prefixes.</summary>
    public void SetPlaced(IEnumerable<((string Namespace, string Name) Key, string Prefix)> placed)
    {
        lock (_gate)
        {
            _placed = placed.ToDictionary(p => p.Key, p => p.Prefix);
            Apply();
        }
    }

    /// <summary>Takes on (<paramref name="prefix"/> set) or drops a promoted replica.</summary>
    public void SetPromoted(string ns, string name, string? prefix, string reason)
    {
        lock (_gate)
        {
            if (prefix is null)
            {
                _promoted.Remove((ns, name));
            }
            else
            {
                _promoted[(ns, name)] = (prefix, $"promoted: {reason}");
            }

            Apply();
        }
    }

    /// <summary>True when this site holds a replica of the keyspace (placed or promoted).</summary>
    public bool Holds(string ns, string name)
    {
        lock (_gate)
        {
            return _placed.ContainsKey((ns, name)) || _promoted.ContainsKey((ns, name));
        }
    }

    /// <summary>Why this site holds the keyspace of <paramref name="prefix"/>; null when it holds none with that prefix.</summary>
    public string? Reason(string prefix)
    {
        lock (_gate)
        {
            return _placed.ContainsValue(prefix) ? PlacementReason
                : _promoted.Values.FirstOrDefault(p => p.Prefix == prefix).Reason;
        }
    }

    /// <summary>The keyspaces held here as the service map announces them (<see cref="KeyspaceServices"/>).</summary>
    public IEnumerable<ServiceKey> Announced()
    {
        lock (_gate)
        {
            return [.. _placed.Keys.Concat(_promoted.Keys).Distinct().Select(k => KeyspaceServices.For(k.Namespace, k.Name))];
        }
    }

    /// <summary>Only when the held prefixes changed: the store recomputes what it carries and drops what it no longer does.</summary>
    private void Apply()
    {
        var prefixes = _placed.Values.Concat(_promoted.Values.Select(p => p.Prefix)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (_applied is null || !_applied.SequenceEqual(prefixes))
        {
            _applied = prefixes;
            store.SetKeyspaces(prefixes);
        }
    }
}
