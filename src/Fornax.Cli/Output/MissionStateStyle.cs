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
}
