using Fornax.Core.Columns;
using System.Text.Json.Nodes;
using Fornax.Core.Selectors;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Spectre.Console;

namespace Fornax.Cli.Output;

/// <summary>The readable view of <c>fornax describe</c>: metadata, then the kind's spec and status in sections.</summary>
public sealed class ObjectDescriber(IAnsiConsole console, DateTimeOffset now)
{
    private const int KeyWidth = 22;

    public void Write(FornaxObject obj)
    {
        var meta = obj.Metadata;
        Field("Name", meta.Name);
        Field("Namespace", meta.NamespaceOrDefault);
        Field("Kind", obj.Kind);
        Map("Labels", meta.Labels);
        Map("Annotations", meta.Annotations);
        Field("Created", meta.CreationTimestamp is { } created ? $"{created:u} ({Ages.Since(created, now)} ago)" : null);
        Field("Resource Version", meta.ResourceVersion?.ToString());
        Field("Generation", meta.Generation?.ToString());
        switch (obj)
        {
            case Mission mission:
                Write(mission);
                break;
            case ConfigMap configMap:
                Write(configMap);
                break;
            case Function function:
                Write(function);
                break;
            case Site site:
                Write(site);
                break;
            default:
                Section("Object");
                Yaml(ObjectSerializer.ToJsonObject(obj));
                break;
        }
    }

    private void Write(Mission mission)
    {
        var spec = mission.Spec;
        Section("Placement");
        Field("  Sites", spec.Placement?.Sites is { Count: > 0 } sites ? string.Join(", ", sites) : "<every site>");
        Field("  Selector", spec.Placement?.Selector is { } selector ? SelectorSyntax.Format(selector) : "<none>");
        Section("Content");
        var content = spec.Content ?? [];
        if (content.Count == 0)
        {
            Line("  <none>");
        }

        foreach (var item in content)
        {
            Line($"  {OutputFormat.QualifiedName(item)}");
        }

        if (spec.Command is { } command)
        {
            Section("Command");
            Field("  Trigger", command.Trigger);
            Field("  Command", command.Command);
            Field("  Reverse Command", command.ReverseCommand);
            Field("  Run If Trigger", command.RunIfTriggerSucceeds ? "succeeds" : "fails");
            Field("  Timeout", command.Timeout ?? "60s");
        }

        if (spec.StateCheck?.Command is { } check)
        {
            Field("State Check", check);
        }

        Section("State");
        var state = mission.Status?.State;
        if (state is null || state.Count == 0)
        {
            Line("  <no site has reported yet>");
        }
        else
        {
            var width = Math.Max(KeyWidth - 2, state.Keys.Max(k => k.Length) + 2);
            foreach (var (path, value) in state.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                console.MarkupLine($"  {Markup.Escape(path.PadRight(width))}{MissionStateStyle.Markup(value)}");
            }
        }

        Field("Observed Generation", mission.Status?.ObservedGeneration?.ToString());
    }

    private void Write(ConfigMap configMap)
    {
        Section("Data");
        if (configMap.Data is not { Count: > 0 } data)
        {
            Line("  <none>");
            return;
        }

        foreach (var (key, value) in data.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Line($"  {key}:");
            foreach (var line in value.Split('\n'))
            {
                Line($"    {line}");
            }
        }
    }

    private void Write(Function function)
    {
        var spec = function.Spec;
        Section("Spec");
        Field("  Module", spec.Module);
        Field("  ABI", spec.Abi ?? FunctionAbis.Wagi);
        Field("  HTTP Path", spec.Triggers?.Http?.Path);
        Field("  HTTP Methods", spec.Triggers?.Http?.Methods is { Count: > 0 } methods ? string.Join(", ", methods) : null);
        Field("  Memory", spec.Limits?.MemoryMiB is { } mib ? $"{mib} MiB" : null);
        Field("  Timeout", spec.Limits?.Timeout);
        Field("  Fuel", spec.Limits?.Fuel?.ToString());
        Field("  Max Concurrency", spec.Scale?.MaxConcurrency?.ToString());
        Map("  Env", spec.Env);
        Section("Status");
        Field("  Digest", function.Status?.Digest);
        Field("  Phase", function.Status?.Phase);
        Field("  Message", function.Status?.Message);
    }

    private void Write(Site site)
    {
        var status = site.Status;
        Section("Spec");
        Field("  Tier", site.Spec.Tier);
        Field("  Parent", site.Spec.Parent is { Length: > 0 } parent ? parent : "<root>");
        Section("Status");
        Field("  Path", status?.Path);
        var healthy = status?.Healthy switch { true => "[green]True[/]", false => "[red]False[/]", null => "Unknown" };
        console.MarkupLine($"{Markup.Escape("  Healthy:".PadRight(KeyWidth))}{healthy}");
        Field("  Phase", status?.Phase);
        Field("  Last Heartbeat", status?.LastHeartbeat is { } hb ? $"{hb:u} ({Ages.Since(hb, now)} ago)" : "never");
        Field("  API", status?.Endpoints?.Api);
        Field("  Ingress", status?.Endpoints?.Ingress);
        Field("  RESP", status?.Endpoints?.Resp);
        Field("  Children", status?.Children is { Count: > 0 } children ? string.Join(", ", children) : "<none>");
        Field("  Missions", status?.Missions is { } m ? $"{m.Active} active of {m.Received} received" : null);
    }

    private void Section(string title)
    {
        console.WriteLine();
        console.MarkupLine($"[bold]{Markup.Escape(title)}:[/]");
    }

    private void Field(string key, string? value) => Line($"{(key + ":").PadRight(KeyWidth)}{value ?? "<none>"}");

    private void Map(string key, IReadOnlyDictionary<string, string>? map)
    {
        if (map is not { Count: > 0 })
        {
            Field(key, "<none>");
            return;
        }

        var first = true;
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Line($"{(first ? key + ":" : "").PadRight(KeyWidth)}{k}={v}");
            first = false;
        }
    }

    private void Yaml(JsonNode node)
    {
        foreach (var line in YamlJson.ToYaml(node).TrimEnd('\n').Split('\n'))
        {
            Line("  " + line);
        }
    }

    private void Line(string text) => console.WriteLine(text);
}
