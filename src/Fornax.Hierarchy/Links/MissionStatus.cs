using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Store;

namespace Fornax.Hierarchy.Links;

/// <summary>Edits the <c>status.state</c> map of missions in a store, retrying on conflicts with other writers.</summary>
public static class MissionStatus
{
    /// <summary>Annotation on a mission received from the parent: the parent's site path.</summary>
    public const string OriginAnnotation = "fornax.io/origin";

    /// <summary>Annotation on a mission received from the parent: the parent's generation of it.</summary>
    public const string OriginGenerationAnnotation = "fornax.io/origin-generation";

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it.</summary>
    public static bool IsUnder(string path, string root) =>
        path == root || (path.Length > root.Length && path.StartsWith(root, StringComparison.Ordinal) && path[root.Length] == '/');

    /// <summary>
    /// Replaces every entry at or under <paramref name="subtreeRoot"/> with <paramref name="entries"/>. A roll-up of what
    /// a child reported is <see cref="WriteDurability.Relaxed"/>: the child reports it again after a restart of either side.
    /// </summary>
    public static Task<bool> ReplaceSubtreeAsync(IObjectStore store, ObjectKey key, string subtreeRoot, IReadOnlyDictionary<string, string> entries, WriteDurability durability, CancellationToken ct) =>
        EditAsync(store, key, durability, states =>
        {
            var changed = false;
            foreach (var path in states.Select(p => p.Key).Where(p => IsUnder(p, subtreeRoot) && !entries.ContainsKey(p)).ToList())
            {
                states.Remove(path);
                changed = true;
            }

            foreach (var (path, state) in entries)
            {
                if (states[path]?.GetValue<string>() != state)
                {
                    states[path] = state;
                    changed = true;
                }
            }

            return changed;
        }, ct);

    /// <summary>
    /// Marks a child <c>cluster offline</c>: its own entry set, every deeper key under it removed. Durable: a restarted
    /// site marks a child that stays away again only <see cref="LinkOptions.MissedHeartbeats"/> intervals after its start
    /// (<see cref="Downlinks.RestoreChildrenAsync"/>), and the mark must hold meanwhile; marks are rare (one per child that
    /// goes away, per mission).
    /// </summary>
    public static Task<bool> MarkOfflineAsync(IObjectStore store, ObjectKey key, string childPath, CancellationToken ct) =>
        ReplaceSubtreeAsync(store, key, childPath, new Dictionary<string, string> { [childPath] = MissionStates.ClusterOffline }, WriteDurability.Durable, ct);

    /// <summary>
    /// Removes every entry at or under one of <paramref name="roots"/>: a forgotten child's subtree. Durable: nothing would
    /// remove the keys again after a restart (no report of the child comes any more).
    /// </summary>
    public static Task<bool> RemoveSubtreesAsync(IObjectStore store, ObjectKey key, IReadOnlyList<string> roots, CancellationToken ct) =>
        EditAsync(store, key, WriteDurability.Durable, states =>
        {
            var gone = states.Select(p => p.Key).Where(p => roots.Any(r => IsUnder(p, r))).ToList();
            foreach (var path in gone)
            {
                states.Remove(path);
            }

            return gone.Count > 0;
        }, ct);

    /// <summary>Reads the state map of a stored mission.</summary>
    public static Dictionary<string, string> States(JsonObject mission)
    {
        var result = new Dictionary<string, string>();
        if (mission["status"]?["state"] is JsonObject states)
        {
            foreach (var (path, value) in states)
            {
                if (value is JsonValue v && v.TryGetValue<string>(out var s))
                {
                    result[path] = s;
                }
            }
        }

        return result;
    }

    public static string? Annotation(JsonObject obj, string name) =>
        obj["metadata"]?["annotations"]?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static async Task<bool> EditAsync(IObjectStore store, ObjectKey key, WriteDurability durability, Func<JsonObject, bool> edit, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = await store.GetAsync(key, ct);
            if (current is null)
            {
                return false;
            }

            var status = current.Object["status"]?.DeepClone() as JsonObject ?? [];
            var states = status["state"] as JsonObject ?? [];
            if (!edit(states))
            {
                return false;
            }

            status["state"] = states;
            try
            {
                await store.UpdateStatusAsync(key, status, current.ResourceVersion, durability, ct);
                return true;
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.Conflict)
            {
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.NotFound)
            {
                return false;
            }
        }

        return false;
    }
}
