using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Core.Objects;

namespace Fornax.Node.Api.Kube;

/// <summary>A field another manager owns with a different value; apply refuses unless forced.</summary>
internal sealed record ApplyConflict(string Manager, string[] Field);

/// <summary>
/// Server-side apply (<c>PATCH</c> with <c>application/apply-patch+yaml</c>): merges an applied configuration into the
/// live object, records which fields each field manager owns in <c>metadata.managedFields</c>, removes fields a manager
/// stopped applying (unless another manager owns them), and refuses to change a field another manager owns with a
/// different value (409 naming the manager) unless <c>force=true</c>, which takes the field over.
/// </summary>
internal static class ServerSideApply
{
    public static (JsonObject? Merged, IReadOnlyList<ApplyConflict> Conflicts) Merge(
        JsonObject? current, JsonObject applied, string manager, bool force, DateTimeOffset now)
    {
        var appliedLeaves = ManagedFields.Leaves(applied);
        var entries = (current?["metadata"]?["managedFields"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(e => (Entry: e, Manager: e["manager"]?.GetValue<string>() ?? "", Leaves: ManagedFields.Decode(e["fieldsV1"])))
            .ToList();

        var conflicts = new List<ApplyConflict>();
        foreach (var (_, other, leaves) in entries.Where(e => e.Manager != manager))
        {
            foreach (var owned in leaves)
            {
                foreach (var wanted in appliedLeaves.Where(w => ManagedFields.Overlaps(owned, w)))
                {
                    var at = wanted.Length >= owned.Length ? wanted : owned;
                    if (!JsonNode.DeepEquals(ManagedFields.Get(current, at), ManagedFields.Get(applied, at)))
                    {
                        conflicts.Add(new ApplyConflict(other, at));
                    }
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            return (null, conflicts);
        }

        var merged = (JsonObject?)current?.DeepClone() ?? new JsonObject();
        var othersLeaves = entries.Where(e => e.Manager != manager)
            .Select(e => (e.Entry, e.Manager, Leaves: e.Leaves.Where(l => !conflicts.Any(c => ManagedFields.Overlaps(c.Field, l))).ToList()))
            .ToList();
        var previous = entries.Where(e => e.Manager == manager).SelectMany(e => e.Leaves);
        foreach (var dropped in previous.Where(p => !appliedLeaves.Any(a => ManagedFields.Overlaps(a, p))))
        {
            if (!othersLeaves.Any(o => o.Leaves.Any(l => ManagedFields.Overlaps(l, dropped))))
            {
                ManagedFields.Remove(merged, dropped);
            }
        }

        var config = (JsonObject)applied.DeepClone();
        config.Remove("status");
        merged = (JsonObject)JsonPatches.Merge(merged, config)!;

        var managed = new JsonArray();
        foreach (var (entry, _, leaves) in othersLeaves.Where(o => o.Leaves.Count > 0))
        {
            var kept = (JsonObject)entry.DeepClone();
            kept["fieldsV1"] = ManagedFields.Encode(leaves);
            managed.Add((JsonNode)kept);
        }

        managed.Add((JsonNode)new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = Kinds.ApiVersion,
            ["time"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = ManagedFields.Encode(appliedLeaves),
        });
        if (merged["metadata"] is not JsonObject metadata)
        {
            metadata = new JsonObject();
            merged["metadata"] = metadata;
        }

        metadata["managedFields"] = managed;
        return (merged, []);
    }

    /// <summary>Kubernetes' conflict message: <c>Apply failed with 1 conflict: conflict with "m": .spec.x</c>.</summary>
    public static string Describe(IReadOnlyList<ApplyConflict> conflicts) =>
        $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: "
        + string.Join("; ", conflicts.Select(c => $"conflict with \"{c.Manager}\": {ManagedFields.Format(c.Field)}"));
}
