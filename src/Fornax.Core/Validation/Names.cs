using System.Text.RegularExpressions;

namespace Fornax.Core.Validation;

/// <summary>The Kubernetes naming rules for object names, label keys and label values.</summary>
public static partial class Names
{
    /// <summary>RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, ≤ 63.</summary>
    public static bool IsDnsLabel(string? value) => value is { Length: > 0 and <= 63 } && DnsLabel().IsMatch(value);

    /// <summary>RFC 1123 subdomain: dot-separated labels, ≤ 253.</summary>
    public static bool IsDnsSubdomain(string? value) =>
        value is { Length: > 0 and <= 253 } && value.Split('.').All(IsDnsLabel);

    /// <summary>Why <paramref name="name"/> is not an object name (a DNS subdomain), naming the rule it breaks first.</summary>
    public static string WhyNotAName(string name)
    {
        if (name.Length > 253)
        {
            return $"\"{name[..20]}…\" is {name.Length} characters long; a name has at most 253";
        }

        return name.Split('.').FirstOrDefault(part => part.Length > 63) is { } part
            ? $"\"{name}\" is too long: {(part.Length == name.Length ? "a name" : $"its part \"{part}\"")} has {part.Length} characters, at most 63 are allowed (between dots; 253 in all)"
            : $"\"{name}\" is not a valid name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 63 characters between dots)";
    }

    /// <summary>An optional DNS-subdomain prefix and '/', then a name of ≤ 63 characters.</summary>
    public static bool IsLabelKey(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var slash = key.IndexOf('/');
        if (slash >= 0)
        {
            if (!IsDnsSubdomain(key[..slash]))
            {
                return false;
            }

            key = key[(slash + 1)..];
        }

        return key.Length is > 0 and <= 63 && QualifiedName().IsMatch(key);
    }

    /// <summary>Empty, or ≤ 63 characters of alphanumerics, '-', '_', '.', starting and ending alphanumeric.</summary>
    public static bool IsLabelValue(string? value) =>
        value is not null && (value.Length == 0 || (value.Length <= 63 && QualifiedName().IsMatch(value)));

    public static bool IsConfigMapKey(string? key) => key is { Length: > 0 and <= 253 } && ConfigKey().IsMatch(key);

    public static void ValidateLabels(IReadOnlyDictionary<string, string>? labels, ValidationContext context, string path)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            if (!IsLabelKey(key))
            {
                context.Add($"{path}[{key}]", $"\"{key}\" is not a valid label key (an optional DNS prefix and '/', then at most 63 of letters, digits, '-', '_', '.')");
            }

            if (!IsLabelValue(value))
            {
                context.Add($"{path}[{key}]", $"\"{value}\" is not a valid label value (at most 63 of letters, digits, '-', '_', '.', starting and ending with a letter or digit)");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^[-._A-Za-z0-9]+$")]
    private static partial Regex ConfigKey();
}
