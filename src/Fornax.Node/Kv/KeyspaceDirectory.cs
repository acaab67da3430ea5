using System.Collections.Concurrent;
using System.Text;

namespace Fornax.Node.Kv;

/// <summary>
/// The prefix of every <c>Keyspace</c> object at this site, by namespace and name, whether or not its placement
/// selects the site (a keyspace not placed here still names its keys; they just stay local). Kept by
/// <see cref="KeyspaceController"/>; read by functions' state bindings at every invocation.
/// </summary>
internal sealed class KeyspaceDirectory
{
    private readonly ConcurrentDictionary<(string Namespace, string Name), byte[]> _prefixes = new();

    public byte[]? Prefix(string ns, string name) => _prefixes.GetValueOrDefault((ns, name));

    /// <summary>Every keyspace's prefix, each once.</summary>
    public List<string> Prefixes() => _prefixes.Values.Select(p => Encoding.UTF8.GetString(p)).Distinct(StringComparer.Ordinal).ToList();

    public void Set(string ns, string name, string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            _prefixes.TryRemove((ns, name), out _);
        }
        else
        {
            _prefixes[(ns, name)] = Encoding.UTF8.GetBytes(prefix);
        }
    }
}
