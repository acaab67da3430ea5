using Fornax.Portal;

namespace Fornax.Node.Locality;

/// <summary>
/// Where a keyspace is held travels the tree in the service map, beside the services: each site announces a
/// <see cref="ServiceKey"/> per keyspace it holds, named <c>keyspace:NAME</c> in the keyspace's namespace. An object
/// name cannot contain a colon, so these never collide with a Service or a Function; listings of services leave them out.
/// </summary>
internal static class KeyspaceServices
{
    private const string Marker = "keyspace:";

    public static ServiceKey For(string ns, string keyspace) => new(ns, Marker + keyspace);

    public static bool IsKeyspace(ServiceKey service) => service.Name.StartsWith(Marker, StringComparison.Ordinal);
}
