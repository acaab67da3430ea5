namespace Fornax.Portal;

/// <summary>A service's identity across the tree: its namespace and name, written <c>namespace/name</c>.</summary>
public readonly record struct ServiceKey(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";
}
