using System.Text.Json.Serialization;
using Fornax.Core.Serialization;
using Fornax.Core.Validation;

namespace Fornax.Core.Selectors;

/// <summary>
/// A Kubernetes label selector: every <c>matchLabels</c> pair and every <c>matchExpressions</c> requirement
/// must hold. An empty selector matches everything.
/// </summary>
public sealed class LabelSelector
{
    [JsonConverter(typeof(LenientStringMapConverter))]
    public Dictionary<string, string>? MatchLabels { get; set; }

    public List<LabelSelectorRequirement>? MatchExpressions { get; set; }

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        labels ??= EmptyLabels;
        foreach (var (key, value) in MatchLabels ?? [])
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in MatchExpressions ?? [])
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    internal void Validate(ValidationContext context, string path)
    {
        Names.ValidateLabels(MatchLabels, context, $"{path}.matchLabels");
        var expressions = MatchExpressions ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            expressions[i].Validate(context, $"{path}.matchExpressions[{i}]");
        }
    }

    private static readonly Dictionary<string, string> EmptyLabels = [];
}

/// <summary>One requirement of a selector: a key, an operator and (for In/NotIn) a set of values.</summary>
public sealed class LabelSelectorRequirement
{
    public string Key { get; set; } = "";

    public string Operator { get; set; } = "";

    public List<string>? Values { get; set; }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var present = labels.TryGetValue(Key, out var value);
        return Operator switch
        {
            SelectorOperators.In => present && (Values ?? []).Contains(value!),
            SelectorOperators.NotIn => !present || !(Values ?? []).Contains(value!),
            SelectorOperators.Exists => present,
            SelectorOperators.DoesNotExist => !present,
            _ => false,
        };
    }

    internal void Validate(ValidationContext context, string path)
    {
        if (!Names.IsLabelKey(Key))
        {
            context.Add($"{path}.key", $"\"{Key}\" is not a valid label key");
        }

        var values = Values ?? [];
        switch (Operator)
        {
            case SelectorOperators.In or SelectorOperators.NotIn:
                if (values.Count == 0)
                {
                    context.Add($"{path}.values", $"must be non-empty when operator is {Operator}");
                }

                break;
            case SelectorOperators.Exists or SelectorOperators.DoesNotExist:
                if (values.Count > 0)
                {
                    context.Add($"{path}.values", $"must be empty when operator is {Operator}");
                }

                break;
            default:
                context.Add($"{path}.operator", $"\"{Operator}\" is not one of {string.Join(", ", SelectorOperators.All)}");
                break;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (!Names.IsLabelValue(values[i]))
            {
                context.Add($"{path}.values[{i}]", $"\"{values[i]}\" is not a valid label value");
            }
        }
    }
}

public static class SelectorOperators
{
    public const string In = "In";
    public const string NotIn = "NotIn";
    public const string Exists = "Exists";
    public const string DoesNotExist = "DoesNotExist";

    public static readonly IReadOnlyList<string> All = [In, NotIn, Exists, DoesNotExist];
}
