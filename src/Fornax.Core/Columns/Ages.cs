namespace Fornax.Core.Columns;

/// <summary>kubectl's short human durations (<c>45s</c>, <c>3m20s</c>, <c>5h</c>, <c>12d</c>) for the AGE column.</summary>
public static class Ages
{
    public static string Since(DateTimeOffset? then, DateTimeOffset now) => then is { } t ? Format(now - t) : "<unknown>";

    /// <summary>The rounding of kubectl's <c>duration.HumanDuration</c>: more precision while a value is small.</summary>
    public static string Format(TimeSpan span)
    {
        var seconds = (long)span.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        }

        if (minutes < 180)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        var days = hours / 24;
        if (hours < 24 * 8)
        {
            return hours % 24 == 0 ? $"{days}d" : $"{days}d{hours % 24}h";
        }

        if (days < 365 * 2)
        {
            return $"{days}d";
        }

        var years = days / 365;
        return days < 365 * 8 && days % 365 != 0 ? $"{years}y{days % 365}d" : $"{years}y";
    }
}
