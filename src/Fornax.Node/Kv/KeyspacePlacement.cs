using Fornax.Core.Objects;
using Fornax.Node.Sites;

namespace Fornax.Node.Kv;

internal static class KeyspacePlacement
{
    /// <summary>True when the keyspace's placement selects <paramref name="site"/> (no placement: every site the mission reaches).</summary>
    public static bool SelectsSite(Keyspace keyspace, LocalSite site) =>
        keyspace.Spec.Placement is not { } placement || placement.Selects(site.Name, site.Path, site.Labels);
}
