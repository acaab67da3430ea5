using Fornax.Core.Objects;

namespace Fornax.Cli.Output;

/// <summary>Colours and summaries of mission states.</summary>
public static class MissionStateStyle
{
    public static string Colour(string state) => state switch
    {
        MissionStates.Active => "green",
        MissionStates.Pending => "yellow",
        MissionStates.NotMatch => "grey",
        MissionStates.ClusterOffline or MissionStates.Unreachable => "darkorange",
        _ when state.StartsWith(MissionStates.FailedPrefix, StringComparison.Ordinal) || state == "Failed" => "red",
        _ => "default",
    };

    public static string Markup(string state, int width = 0) => $"[{Colour(state)}]{Spectre.Console.Markup.Escape(state.PadRight(width))}[/]";

    /// <summary>Counts per state, most common first: <c>2 Active, 1 not match</c>; <c>-</c> when no site has reported.</summary>
    public static string Summary(IReadOnlyDictionary<string, string>? state)
    {
        if (state is null || state.Count == 0)
        {
            return "-";
        }

        return string.Join(", ", state.Values
            .Select(s => s.StartsWith(MissionStates.FailedPrefix, StringComparison.Ordinal) ? "Failed" : s)
            .GroupBy(s => s)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {g.Key}"));
    }
}
