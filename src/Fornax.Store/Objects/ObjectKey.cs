namespace Fornax.Store;

/// <summary>Identifies one stored object: kind, namespace and name.</summary>
public readonly record struct ObjectKey(string Kind, string Namespace, string Name)
{
    /// <summary>The namespace objects land in when they do not name one.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>Formats as <c>Kind ns/name</c>, the way error messages name objects.</summary>
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
