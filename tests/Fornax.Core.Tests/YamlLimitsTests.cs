using System.Text;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;
using Fornax.Tests.Hostile;

namespace Fornax.Core.Tests;

/// <summary>YAML that is legal but hostile: nesting and aliases are bounded while parsing, before a tree is built.</summary>
public sealed class YamlLimitsTests
{
    [Fact]
    public void Parse_100000OpenBrackets_RefusedNamingTheDepthLimit()
    {
        var e = Assert.Throws<ObjectValidationException>(() => YamlJson.Parse(Encoding.ASCII.GetString(HostileBodies.DeepBrackets)));

        Assert.Contains("deeper than 64 levels", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1, column 65", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MappingNested10000Deep_RefusedNamingTheDepthLimit()
    {
        var e = Assert.Throws<ObjectValidationException>(() => ObjectSerializer.ParseDocuments(Encoding.ASCII.GetString(HostileBodies.DeepYamlMapping), "deep.yaml"));

        Assert.Contains("deep.yaml: line 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("deeper than 64 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExactlyTheDepthLimit_IsRead_OneMoreIsNot()
    {
        var atLimit = YamlJson.Parse(new string('[', YamlJson.MaxDepth) + new string(']', YamlJson.MaxDepth));
        var node = atLimit.Single().Node;
        for (var level = 1; level < YamlJson.MaxDepth; level++)
        {
            node = node!.AsArray().Single();
        }

        Assert.Empty(node!.AsArray());
        Assert.Throws<ObjectValidationException>(() => YamlJson.Parse(new string('[', YamlJson.MaxDepth + 1) + new string(']', YamlJson.MaxDepth + 1)));
    }

    [Fact]
    public void Parse_AliasBomb_RefusedNamingTheNodeBudget()
    {
        var e = Assert.Throws<ObjectValidationException>(() => YamlJson.Parse(Encoding.UTF8.GetString(HostileBodies.AliasBomb)));

        Assert.Contains("aliases expand to more than 10000 nodes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasesWithinTheBudget_AreExpandedAsCopies()
    {
        var docs = YamlJson.Parse("""
            base: &base {tier: edge, zone: [a, b]}
            one: *base
            two: *base
            """);

        var root = docs.Single().Node!.AsObject();
        Assert.Equal("""{"tier":"edge","zone":["a","b"]}""", root["two"]!.ToJsonString());
        root["one"]!["tier"] = "changed";
        Assert.Equal("edge", root["two"]!["tier"]!.GetValue<string>());
    }

    [Fact]
    public void Parse_AliasThatWouldNestTooDeep_Refused()
    {
        var deep = new string('[', 40) + new string(']', 40);
        var text = $"a: &a {deep}\nb: {new string('[', 30)}*a{new string(']', 30)}\n";

        var e = Assert.Throws<ObjectValidationException>(() => YamlJson.Parse(text));

        Assert.Contains("alias *a makes the document nest deeper than 64 levels", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownAlias_NamesIt()
    {
        var e = Assert.Throws<ObjectValidationException>(() => YamlJson.Parse("a: *nowhere\n"));

        Assert.Contains("alias *nowhere refers to no anchor", e.Message, StringComparison.Ordinal);
    }
}
