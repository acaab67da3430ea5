using CsCheck;
using Fornax.Core.Selectors;

namespace Fornax.Core.Tests;

public sealed class LabelSelectorTests
{
    private static readonly Gen<string> Key = Gen.OneOf("tier", "region", "app", "fornax.io/site");
    private static readonly Gen<string> Value = Gen.OneOf("edge", "cloud", "east", "west", "");
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
        Gen.Select(Labels, Requirement.Array[0, 3])
            .Select((labels, reqs) => new LabelSelector { MatchLabels = labels.Count == 0 ? null : labels, MatchExpressions = [.. reqs] });

    [Fact]
    public void Matches_EmptySelector_MatchesEverything() =>
        Labels.Sample(labels => Assert.True(new LabelSelector().Matches(labels)));

    [Fact]
    public void Matches_IsTheConjunctionOfItsParts() =>
        Gen.Select(Selector, Labels).Sample((selector, labels) =>
        {
            var each = (selector.MatchLabels ?? []).All(p => new LabelSelector { MatchLabels = new() { [p.Key] = p.Value } }.Matches(labels))
                && (selector.MatchExpressions ?? []).All(r => new LabelSelector { MatchExpressions = [r] }.Matches(labels));
            Assert.Equal(each, selector.Matches(labels));
        });

    [Fact]
    public void Matches_InAndNotInAreComplements() =>
        Gen.Select(Key, Value.Array[1, 3], Labels).Sample((key, values, labels) =>
        {
            var @in = new LabelSelectorRequirement { Key = key, Operator = SelectorOperators.In, Values = [.. values] };
            var notIn = new LabelSelectorRequirement { Key = key, Operator = SelectorOperators.NotIn, Values = [.. values] };
            Assert.NotEqual(@in.Matches(labels), notIn.Matches(labels));
        });

    [Fact]
    public void Matches_ExistsAndDoesNotExistAreComplements_AndFollowPresence() =>
        Gen.Select(Key, Labels).Sample((key, labels) =>
        {
            var exists = new LabelSelectorRequirement { Key = key, Operator = SelectorOperators.Exists }.Matches(labels);
            var absent = new LabelSelectorRequirement { Key = key, Operator = SelectorOperators.DoesNotExist }.Matches(labels);
            Assert.Equal(labels.ContainsKey(key), exists);
            Assert.NotEqual(exists, absent);
        });

    [Fact]
    public void Matches_NotIn_MatchesWhenKeyIsAbsent_AsKubernetesDoes()
    {
        var notIn = new LabelSelector
        {
            MatchExpressions = [new() { Key = "tier", Operator = SelectorOperators.NotIn, Values = ["edge"] }],
        };

        Assert.True(notIn.Matches(new Dictionary<string, string>()));
        Assert.True(notIn.Matches(null));
        Assert.False(notIn.Matches(new Dictionary<string, string> { ["tier"] = "edge" }));
    }

    [Fact]
    public void Matches_MatchLabels_RequiresEqualValue()
    {
        var selector = new LabelSelector { MatchLabels = new() { ["tier"] = "edge" } };

        Assert.True(selector.Matches(new Dictionary<string, string> { ["tier"] = "edge", ["x"] = "y" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["tier"] = "cloud" }));
        Assert.False(selector.Matches(new Dictionary<string, string>()));
    }
}
