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

    /// <summary>
    /// Removes every keyspace not in <paramref name="listed"/>, after a list set the listed ones: a keyspace deleted while
    /// the watch was behind sends no Deleted event, it is only absent from the next list. Only the unlisted ones are
    /// removed, so a reader never finds a listed keyspace missing meanwhile.
    /// </summary>
    public void KeepOnly(IEnumerable<(string Namespace, string Name)> listed)
    {
        var keep = listed.ToHashSet();
        foreach (var key in _prefixes.Keys.Where(k => !keep.Contains(k)))
        {
            _prefixes.TryRemove(key, out _);
        }
    }

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
