using CsCheck;
using Fornax.Core.Selectors;

namespace Fornax.Cli.Tests;

public sealed class SelectorSyntaxTests
{
    private static readonly Gen<string> Key = Gen.OneOf("tier", "app", "fornax.io/site", "example.com/x_y-z.1");
    private static readonly Gen<string> Value = Gen.OneOf("edge", "cloud", "a.b-c_d", "1", "");
    private static readonly Gen<Dictionary<string, string>> Labels =
        Gen.Select(Key, Value).Array[0, 4].Select(pairs => pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.First().Item2));

    private static readonly Gen<LabelSelectorRequirement> Requirement =
        Gen.Select(Key, Gen.OneOf(SelectorOperators.All.ToArray()), Value.Array[1, 3])
            .Select((key, op, values) => new LabelSelectorRequirement
            {
                Key = key,
                Operator = op,
                Values = op is SelectorOperators.In or SelectorOperators.NotIn ? [.. values] : null,
            });

    private static readonly Gen<LabelSelector> Selector =
        Gen.Select(Labels, Requirement.Array[0, 4])
            .Select((labels, reqs) => new LabelSelector { MatchLabels = labels.Count == 0 ? null : labels, MatchExpressions = [.. reqs] });

    [Fact]
    public void Parse_KubectlExample_GivesTheEquivalentRequirements()
    {
        var selector = SelectorSyntax.Parse("tier=edge,app!=x,env in (a,b),!gone,present,zone notin (z1, z2),k==v");

        Assert.Equal(
            [
                ("tier", "In", "edge"), ("app", "NotIn", "x"), ("env", "In", "a|b"), ("gone", "DoesNotExist", ""),
                ("present", "Exists", ""), ("zone", "NotIn", "z1|z2"), ("k", "In", "v"),
            ],
            selector.MatchExpressions!.Select(r => (r.Key, r.Operator, string.Join('|', r.Values ?? []))));
    }

    [Fact]
    public void Parse_Empty_MatchesEverything() =>
        Labels.Sample(labels => Assert.True(SelectorSyntax.Parse("").Matches(labels)));

    [Fact]
    public void FormatThenParse_KeepsTheExpressions() =>
        Requirement.Array[1, 4].Sample(requirements =>
        {
            var parsed = SelectorSyntax.Parse(SelectorSyntax.Format(new LabelSelector { MatchExpressions = [.. requirements] }));
            Assert.Equal(
                requirements.Select(r => (r.Key, r.Operator, string.Join('|', r.Values ?? []))),
                parsed.MatchExpressions!.Select(r => (r.Key, r.Operator, string.Join('|', r.Values ?? []))));
        });

    [Fact]
    public void FormatThenParse_MatchesExactlyTheSameLabels() =>
        Gen.Select(Selector, Labels).Sample((selector, labels) =>
            Assert.Equal(selector.Matches(labels), SelectorSyntax.Parse(SelectorSyntax.Format(selector)).Matches(labels)));

    [Fact]
    public void Parse_NotEquals_MatchesObjectsWithoutTheKey_AsKubernetesDoes() =>
        Assert.True(SelectorSyntax.Parse("app!=x").Matches(new Dictionary<string, string>()));

    [Theory]
    [InlineData("tier=edge,", "empty requirement")]
    [InlineData("env in (a,b", "unbalanced parentheses")]
    [InlineData("count>3", "the operators < and > are not supported")]
    [InlineData("env in a,b", "expected KEY, !KEY")]
    [InlineData("Bad Key=x", "expected KEY")]
    [InlineData("tier=no spaces", "is not a single label value")]
    [InlineData("-bad=x", "-bad: is not a valid label key")]
    [InlineData("tier=-x", "\"-x\" is not a valid label value")]
    public void Parse_Invalid_SaysWhy(string text, string why)
    {
        var error = Assert.Throws<SelectorSyntaxException>(() => SelectorSyntax.Parse(text));

        Assert.StartsWith($"invalid label selector \"{text}\": ", error.Message);
        Assert.Contains(why, error.Message);
    }
}
