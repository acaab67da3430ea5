using System.Globalization;
using System.Text.RegularExpressions;

namespace Fornax.Core.Validation;

/// <summary>Bandwidths as <c>tc</c> writes them: <c>512kbit</c>, <c>10Mbit</c>, <c>1Gbit</c> (bits per second).</summary>
public static partial class Bandwidths
{
    public static bool TryParse(string? text, out long bitsPerSecond)
    {
        bitsPerSecond = 0;
        var match = text is null ? Match.Empty : Pattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var factor = match.Groups[2].Value.ToLowerInvariant() switch
        {
            "kbit" => 1e3,
            "mbit" => 1e6,
            "gbit" => 1e9,
            _ => 1,
        };
        bitsPerSecond = (long)(number * factor);
        return bitsPerSecond > 0;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*(bit|kbit|Kbit|mbit|Mbit|gbit|Gbit)$")]
    private static partial Regex Pattern();
}
