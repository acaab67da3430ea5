using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;

namespace Fornax.Core.Columns;

/// <summary>
/// The columns of a kind as <c>fornax get</c> and kubectl's tables show them: NAME first, AGE last, <c>wide</c>
/// adds detail. Plain strings, so the CLI renders them and a site serves them as a Kubernetes <c>Table</c>.
/// </summary>
public static class ObjectColumns
{
    private const string None = "<none>";

    /// <summary>Headers and one row of cells per object; for Functions with <paramref name="wide"/>, counts from <paramref name="functionStats"/> (the site's <c>/api/functions/stats</c>, by name).</summary>
    public static (string[] Headers, List<string[]> Rows) For(KindInfo kind, IReadOnlyList<FornaxObject> objects, bool wide, DateTimeOffset now,
        IReadOnlyDictionary<string, JsonObject>? functionStats = null) => kind.Kind switch
    {
        "Mission" => Missions(objects.Cast<Mission>().ToList(), wide, now),
        "ConfigMap" => (["NAME", "DATA", "AGE"], objects.Cast<ConfigMap>().Select(c => Row(c, (c.Data?.Count ?? 0).ToString(), Age(c, now))).ToList()),
        "Site" => Sites(objects.Cast<Site>().ToList(), wide, now),
        "Function" => Functions(objects.Cast<Function>().ToList(), wide, now, functionStats),
        "Keyspace" => KeyspaceColumns.For(objects.Cast<Keyspace>().ToList(), wide, now),
        _ => (["NAME", "AGE"], objects.Select(o => Row(o, Age(o, now))).ToList()),
    };

    /// <summary><c>sha256:0123456789ab</c>: enough of a digest to tell modules apart in a table.</summary>
    public static string ShortDigest(string? module) => module switch
    {
        null or "" => None,
        _ when module.StartsWith("sha256:", StringComparison.Ordinal) && module.Length > 19 => module[..19],
        _ => module,
    };

    /// <summary>Counts per state, most common first: <c>2 Active, 1 not match</c>; <c>-</c> when no site has reported.</summary>
    public static string StateSummary(IReadOnlyDictionary<string, string>? state)
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

    private static (string[] Headers, List<string[]> Rows) Missions(List<Mission> missions, bool wide, DateTimeOffset now)
    {
        string[] headers = ["NAME", "TARGETS", "ACTIVE", "STATE", "AGE"];
        var paths = wide
            ? missions.SelectMany(m => m.Status?.State?.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal).ToList()
            : [];
        var rows = missions.Select(m =>
        {
            var state = m.Status?.State;
            string[] cells =
            [
                m.Metadata.Name,
                (state?.Count ?? 0).ToString(),
                (state?.Values.Count(s => s == MissionStates.Active) ?? 0).ToString(),
                StateSummary(state),
                Age(m, now),
            ];
            return wide ? [.. cells, .. paths.Select(p => state?.GetValueOrDefault(p) ?? "-")] : cells;
        }).ToList();
        return (wide ? [.. headers, .. paths.Select(p => p.ToUpperInvariant())] : headers, rows);
    }

    private static (string[] Headers, List<string[]> Rows) Functions(List<Function> functions, bool wide, DateTimeOffset now, IReadOnlyDictionary<string, JsonObject>? stats)
    {
        string[] headers = ["NAME", "ABI", "MODULE", "STATUS", "AGE"];
        string[] counts = ["INVOCATIONS", "COLD STARTS", "TRAPS", "TIMEOUTS", "P50"];
        var rows = functions.Select(f =>
        {
            string[] cells = [f.Metadata.Name, f.Spec.Abi ?? FunctionAbis.Wagi, ShortDigest(f.Status?.Digest ?? f.Spec.Module), f.Status?.Phase ?? "Pending", Age(f, now)];
            if (!wide)
            {
                return cells;
            }

            // Counts are the site's own, since it started; a function not loaded there has none.
            var s = stats?.GetValueOrDefault(f.Metadata.Name);
            string Count(string field) => s?[field] is JsonValue v ? v.ToString() : "-";
            var p50 = s?["p50Ms"] is JsonValue p ? p.GetValue<double>().ToString("0.###", CultureInfo.InvariantCulture) + "ms" : "-";
            return [.. cells, Count("invocations"), Count("coldStarts"), Count("traps"), Count("timeouts"), p50];
        }).ToList();
        return (wide ? [.. headers, .. counts] : headers, rows);
    }

    private static (string[] Headers, List<string[]> Rows) Sites(List<Site> sites, bool wide, DateTimeOffset now)
    {
        string[] headers = ["NAME", "PATH", "TIER", "HEALTHY", "LAST HEARTBEAT", "MISSIONS", "AGE"];
        var rows = sites.Select(s =>
        {
            var status = s.Status;
            string[] cells =
            [
                s.Metadata.Name,
                status?.Path ?? None,
                s.Spec.Tier ?? None,
                status?.Healthy switch { true => "True", false => "False", null => "Unknown" },
                status?.LastHeartbeat is { } heartbeat ? Ages.Since(heartbeat, now) + " ago" : "never",
                status?.Missions is { } missions ? $"{missions.Active}/{missions.Received}" : "0/0",
                Age(s, now),
            ];
            var endpoints = status?.Endpoints;
            return wide ? [.. cells, endpoints?.Api ?? None, endpoints?.Ingress ?? None, endpoints?.Resp ?? None] : cells;
        }).ToList();
        return (wide ? [.. headers, "API", "INGRESS", "RESP"] : headers, rows);
    }

    private static string[] Row(FornaxObject obj, params string[] cells) => [obj.Metadata.Name, .. cells];

    internal static string Age(FornaxObject obj, DateTimeOffset now) => Ages.Since(obj.Metadata.CreationTimestamp, now);
}
