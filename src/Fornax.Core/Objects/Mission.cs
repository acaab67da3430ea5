using Fornax.Core.Selectors;
using Fornax.Core.Validation;

namespace Fornax.Core.Objects;

/// <summary>
/// Carries workload objects (<c>spec.content</c>) and optionally a command down the tree to the sites its
/// placement selects; <c>status.state</c> maps each site path to that site's state.
/// </summary>
public sealed class Mission : FornaxObject<MissionSpec, MissionStatus>
{
    [System.Text.Json.Serialization.JsonIgnore]
    public override string Kind => "Mission";

    internal override void ValidateBody(ValidationContext context)
    {
        Spec.Placement?.Validate(context, "spec.placement");
        var content = Spec.Content ?? [];
        var seen = new HashSet<(string, string, string)>();
        for (var i = 0; i < content.Count; i++)
        {
            var item = content[i];
            var path = $"spec.content[{i}]";
            if (item is Topology)
            {
                context.Add($"{path}.kind", "\"Topology\" is a file format for `fornax up`, not an object a mission can carry");
                continue;
            }

            ObjectValidator.Validate(item, context, path);
            if (!seen.Add((item.Kind, item.Metadata.NamespaceOrDefault, item.Metadata.Name)))
            {
                context.Add($"{path}.metadata.name", $"\"{item.Metadata.Name}\" appears twice as {item.Kind} in this mission");
            }
        }

        if (Spec.Command is { } command)
        {
            command.Validate(context, "spec.command");
        }

        if (Spec.StateCheck is { } check && string.IsNullOrWhiteSpace(check.Command))
        {
            context.Add("spec.stateCheck.command", "required when stateCheck is set");
        }

        if (content.Count == 0 && Spec.Command is null)
        {
            context.Add("spec", "a mission needs content, a command, or both");
        }
    }
}

public sealed class MissionSpec
{
    /// <summary>Which sites of the subtree get the mission; empty = every site.</summary>
    public Placement? Placement { get; set; }

    /// <summary>Objects of any kind, delivered into each target site's store.</summary>
    public List<FornaxObject>? Content { get; set; }

    public MissionCommand? Command { get; set; }

    public StateCheck? StateCheck { get; set; }
}

/// <summary>
/// Which sites a mission targets. Both criteria must hold (as in Karmada's ClusterAffinity); a missing one
/// does not constrain, so an empty placement selects every site of the subtree.
/// </summary>
public sealed class Placement
{
    /// <summary>Site names or site paths (<c>cloud/east/shop-1</c>).</summary>
    public List<string>? Sites { get; set; }

    public LabelSelector? Selector { get; set; }

    /// <summary>True when this placement selects the site with the given name, path and labels.</summary>
    public bool Selects(string siteName, string sitePath, IReadOnlyDictionary<string, string>? labels)
    {
        if (Sites is { Count: > 0 } sites && !sites.Contains(siteName) && !sites.Contains(sitePath))
        {
            return false;
        }

        return Selector is null || Selector.Matches(labels);
    }

    internal void Validate(ValidationContext context, string path)
    {
        var sites = Sites ?? [];
        for (var i = 0; i < sites.Count; i++)
        {
            var segments = sites[i].Split('/');
            if (segments.Any(s => !Names.IsDnsLabel(s)))
            {
                context.Add($"{path}.sites[{i}]", $"\"{sites[i]}\" is not a site name or a site path like cloud/east/shop-1");
            }
        }

        Selector?.Validate(context, $"{path}.selector");
    }
}

/// <summary>
/// A command mission: run <c>trigger</c>; when its outcome matches <c>runIfTriggerSucceeds</c>, run <c>command</c>.
/// <c>reverseCommand</c> runs when the mission is deleted. Runs only at sites whose config allows commands.
/// </summary>
public sealed class MissionCommand
{
    public string? Trigger { get; set; }

    public string? Command { get; set; }

    public string? ReverseCommand { get; set; }

    /// <summary>Run the command when the trigger succeeds (true, the default) or when it fails (false).</summary>
    public bool RunIfTriggerSucceeds { get; set; } = true;

    /// <summary>A duration such as <c>30s</c> or <c>5m</c>; default 60s.</summary>
    public string? Timeout { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan TimeoutOrDefault => Timeout is { } t && Durations.TryParse(t, out var d) ? d : TimeSpan.FromSeconds(60);

    internal void Validate(ValidationContext context, string path)
    {
        if (string.IsNullOrWhiteSpace(Command))
        {
            context.Add($"{path}.command", "required");
        }

        if (Timeout is { } timeout && (!Durations.TryParse(timeout, out var span) || span <= TimeSpan.Zero))
        {
            context.Add($"{path}.timeout", $"\"{timeout}\" is not a positive duration like 30s, 5m or 1h");
        }
    }
}

/// <summary>A command whose exit code tells whether the mission is still in force at a site.</summary>
public sealed class StateCheck
{
    public string? Command { get; set; }
}

public sealed class MissionStatus
{
    /// <summary>Site path → state: <c>Pending</c>, <c>Active</c>, <c>Failed: reason</c>, <c>not match</c>, <c>cluster offline</c>, <c>unreachable</c>.</summary>
    public Dictionary<string, string>? State { get; set; }

    public long? ObservedGeneration { get; set; }
}

/// <summary>The states a mission can be in at one site.</summary>
public static class MissionStates
{
    public const string Pending = "Pending";
    public const string Active = "Active";
    public const string NotMatch = "not match";
    public const string ClusterOffline = "cluster offline";
    public const string Unreachable = "unreachable";

    /// <summary>The site has its own mission of the same name, so it does not take the inherited one (docs/tree.md).</summary>
    public const string Conflict = "conflict: this site has its own mission of that name";
    public const string FailedPrefix = "Failed: ";

    public static string Failed(string reason) => FailedPrefix + reason;
}
