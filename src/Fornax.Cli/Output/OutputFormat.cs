using Fornax.Core.Objects;

namespace Fornax.Cli.Output;

/// <summary>The <c>-o</c> formats.</summary>
public static class OutputFormat
{
    public const string Table = "table";
    public const string Wide = "wide";
    public const string Json = "json";
    public const string Yaml = "yaml";
    public const string Name = "name";

    /// <summary>How every command names an object: <c>mission.fornax.io/cameras</c> (kubectl's <c>-o name</c> form).</summary>
    public static string QualifiedName(string kind, string name) => $"{Kinds.Get(kind).Singular}.{Kinds.Group}/{name}";

    public static string QualifiedName(FornaxObject obj) => QualifiedName(obj.Kind, obj.Metadata.Name);
}
