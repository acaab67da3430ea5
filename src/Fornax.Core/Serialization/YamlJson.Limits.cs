namespace Fornax.Core.Serialization;

public static partial class YamlJson
{
    /// <summary>
    /// How deep a YAML document may nest (collections inside collections): the same as JSON, whose reader
    /// (System.Text.Json) stops at 64 by default. No object of the model comes near it; a body of 100,000 <c>[</c>
    /// is refused after 65 of them.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// How many nodes aliases (<c>*name</c>) may produce in one text, counting each expansion in full. Aliases let
    /// a few hundred bytes describe billions of nodes (Kubernetes CVE-2019-11253, "billion laughs"); a manifest that
    /// shares a placement block between a few dozen missions stays far below this.
    /// </summary>
    public const int MaxAliasNodes = 10_000;
}
