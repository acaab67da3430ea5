using System.Globalization;
using System.Text.RegularExpressions;

namespace Fornax.Core.Validation;

/// <summary>Durations in the Go / Kubernetes style: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h30m</c>.</summary>
public static partial class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            return false;
        }

        double totalMs = 0;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitStart = part.Value.IndexOfAny(['u', 'µ', 'm', 's', 'h', 'n']);
            var number = double.Parse(part.Value[..unitStart], CultureInfo.InvariantCulture);
            totalMs += part.Value[unitStart..] switch
            {
                "ns" => number / 1e6,
                "us" or "µs" => number / 1e3,
                "ms" => number,
                "s" => number * 1e3,
                "m" => number * 60e3,
                "h" => number * 3600e3,
                _ => double.NaN,
            };
        }

        if (double.IsNaN(totalMs) || totalMs > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)(totalMs * TimeSpan.TicksPerMillisecond));
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"\"{text}\" is not a duration like 500ms, 30s or 5m");

    /// <summary>Formats as the shortest Go-style string (<c>1m30s</c>, <c>250ms</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        var text = "";
        if (value.Hours + (value.Days * 24) > 0)
        {
            text += $"{value.Hours + (value.Days * 24)}h";
        }

        if (value.Minutes > 0)
        {
            text += $"{value.Minutes}m";
        }

        var seconds = value.Seconds + (value.Milliseconds / 1000.0);
        if (seconds > 0 || text.Length == 0)
        {
            text += $"{seconds.ToString(CultureInfo.InvariantCulture)}s";
        }

        return text;
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex DurationPattern();
}
