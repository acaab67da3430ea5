using System.Text;
using Fornax.Core.Validation;

namespace Fornax.Core.Selectors;

/// <summary>
/// The kubectl label-selector syntax (<c>tier=edge,app!=x,env in (a,b),!gone</c>) to and from a Core
/// <see cref="LabelSelector"/>. Every requirement becomes a <c>matchExpressions</c> entry: <c>k=v</c> and
/// <c>k==v</c> are <c>In (v)</c>, <c>k!=v</c> is <c>NotIn (v)</c> (which, as in Kubernetes, matches when
/// <c>k</c> is absent), <c>k</c> is <c>Exists</c>, <c>!k</c> is <c>DoesNotExist</c>.
/// </summary>
public static class SelectorSyntax
{
    /// <summary>Parses a selector; throws <see cref="SelectorSyntaxException"/> naming the selector and what is wrong.</summary>
    public static LabelSelector Parse(string text)
    {
        var expressions = new List<LabelSelectorRequirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var requirement = ParseRequirement(part.Trim(), text);
            expressions.Add(requirement);
        }

        var selector = new LabelSelector { MatchExpressions = expressions };
        var context = new ValidationContext();
        foreach (var requirement in expressions)
        {
            if (!Names.IsLabelKey(requirement.Key))
            {
                context.Add(requirement.Key, "is not a valid label key");
            }

            foreach (var value in requirement.Values ?? [])
            {
                if (!Names.IsLabelValue(value))
                {
                    context.Add(requirement.Key, $"\"{value}\" is not a valid label value");
                }
            }
        }

        if (context.Count > 0)
        {
            throw Invalid(text, $"{context.Errors[0].Path}: {context.Errors[0].Message}");
        }

        return selector;
    }

    /// <summary>Writes a selector in kubectl syntax; <see cref="Parse"/> reads it back to an equivalent selector.</summary>
    public static string Format(LabelSelector selector)
    {
        var parts = new List<string>();
        foreach (var (key, value) in selector.MatchLabels ?? [])
        {
            parts.Add($"{key}={value}");
        }

        foreach (var r in selector.MatchExpressions ?? [])
        {
            parts.Add(r.Operator switch
            {
                SelectorOperators.Exists => r.Key,
                SelectorOperators.DoesNotExist => "!" + r.Key,
                SelectorOperators.In => $"{r.Key} in ({string.Join(',', r.Values ?? [])})",
                SelectorOperators.NotIn => $"{r.Key} notin ({string.Join(',', r.Values ?? [])})",
                _ => $"{r.Key} {r.Operator} ({string.Join(',', r.Values ?? [])})",
            });
        }

        return string.Join(',', parts);
    }

    private static LabelSelectorRequirement ParseRequirement(string part, string text)
    {
        if (part.Length == 0)
        {
            throw Invalid(text, "empty requirement (two commas in a row, or a trailing comma)");
        }

        if (part[0] == '!')
        {
            var absent = part[1..].Trim();
            if (absent.Length == 0 || absent.Any(IsOperatorChar) || absent.Any(char.IsWhiteSpace))
            {
                throw Invalid(text, $"\"{part}\": expected !KEY");
            }

            return new LabelSelectorRequirement { Key = absent, Operator = SelectorOperators.DoesNotExist };
        }

        var keyEnd = 0;
        while (keyEnd < part.Length && !IsOperatorChar(part[keyEnd]) && !char.IsWhiteSpace(part[keyEnd]))
        {
            keyEnd++;
        }

        var key = part[..keyEnd];
        var rest = part[keyEnd..].TrimStart();
        if (key.Length == 0)
        {
            throw Invalid(text, $"\"{part}\": a requirement starts with a label key");
        }

        if (rest.Length == 0)
        {
            return new LabelSelectorRequirement { Key = key, Operator = SelectorOperators.Exists };
        }

        if (rest.StartsWith("!=", StringComparison.Ordinal))
        {
            return Single(key, SelectorOperators.NotIn, rest[2..], part, text);
        }

        if (rest.StartsWith("==", StringComparison.Ordinal))
        {
            return Single(key, SelectorOperators.In, rest[2..], part, text);
        }

        if (rest.StartsWith('='))
        {
            return Single(key, SelectorOperators.In, rest[1..], part, text);
        }

        if (rest[0] is '<' or '>')
        {
            throw Invalid(text, $"\"{part}\": the operators < and > are not supported (use =, !=, in, notin, KEY or !KEY)");
        }

        foreach (var (word, op) in new[] { ("in", SelectorOperators.In), ("notin", SelectorOperators.NotIn) })
        {
            if (rest.StartsWith(word, StringComparison.Ordinal) && rest[word.Length..].TrimStart() is ['(', .., ')'] set)
            {
                var values = set[1..^1].Split(',').Select(v => v.Trim()).ToList();
                return new LabelSelectorRequirement { Key = key, Operator = op, Values = values };
            }
        }

        throw Invalid(text, $"\"{part}\": expected KEY, !KEY, KEY=VALUE, KEY!=VALUE, KEY in (V1,V2) or KEY notin (V1,V2)");
    }

    private static LabelSelectorRequirement Single(string key, string op, string value, string part, string text)
    {
        value = value.Trim();
        if (value.Any(c => IsOperatorChar(c) || char.IsWhiteSpace(c)))
        {
            throw Invalid(text, $"\"{part}\": \"{value}\" is not a single label value");
        }

        return new LabelSelectorRequirement { Key = key, Operator = op, Values = [value] };
    }

    /// <summary>Splits on the commas that separate requirements, not the ones inside a value set.</summary>
    private static IEnumerable<string> SplitTopLevel(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            yield break;
        }

        var depth = 0;
        var current = new StringBuilder();
        foreach (var c in text)
        {
            depth += c switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth < 0 || depth > 1)
            {
                throw Invalid(text, "unbalanced parentheses");
            }

            if (c == ',' && depth == 0)
            {
                yield return current.ToString();
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (depth != 0)
        {
            throw Invalid(text, "unbalanced parentheses");
        }

        yield return current.ToString();
    }

    private static bool IsOperatorChar(char c) => c is '=' or '!' or '(' or ')' or '<' or '>' or ',';

    private static SelectorSyntaxException Invalid(string text, string why) => new($"invalid label selector \"{text}\": {why}");
}
