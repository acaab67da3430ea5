using System.Text;
using System.Text.Json.Nodes;
using Fornax.Store;

namespace Fornax.Node.Missions;

/// <summary>
/// The objects each mission delivered (by their <c>fornax.io/mission</c> annotation), kept from the store's watch and
/// the controller's own writes. Removing a mission's content looked it up by listing and parsing the whole store, at
/// every reconcile of every mission: at the root of a 1,000-site tree, a thousand <c>Site</c> objects each time, ~4 % of
/// the CPU of a 1,000-site round (perf). It may lag the store by a watch event, so a removal checks the object first.
/// </summary>
internal sealed class ContentIndex
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, ObjectKey> _ownerOf = [];
    private readonly Dictionary<ObjectKey, HashSet<ObjectKey>> _owned = [];

    /// <summary>Each owned object's generation and metadata (but its resourceVersion) when last seen: what its mission delivers.</summary>
    private readonly Dictionary<ObjectKey, (long Generation, string Metadata)> _desired = [];

    /// <summary>Records the owner of <paramref name="item"/>; null: it has none, or it is gone.</summary>
    public void Set(ObjectKey item, ObjectKey? owner)
    {
        lock (_gate)
        {
            if (_ownerOf.TryGetValue(item, out var previous))
            {
                if (previous == owner)
                {
                    return;
                }

                if (_owned.TryGetValue(previous, out var items) && items.Remove(item) && items.Count == 0)
                {
                    _owned.Remove(previous);
                }

                _ownerOf.Remove(item);
                _desired.Remove(item);
            }

            if (owner is { } mission)
            {
                _ownerOf[item] = mission;
                if (!_owned.TryGetValue(mission, out var items))
                {
                    _owned[mission] = items = [];
                }

                items.Add(item);
            }
        }
    }

    /// <summary>
    /// Records what an owned object's mission delivers of it (its generation, which the store raises on any change but to
    /// metadata and status, and its metadata), and returns true when only its status (or resourceVersion) changed since
    /// it was last seen. Such a change — a controller writing the object's status, as the KV figures do for every
    /// <c>Keyspace</c> once a second under writes — cannot have altered what the mission delivered, so the mission need
    /// not be delivered again for it. False the first time an object is seen.
    /// </summary>
    public bool OnlyStatusChanged(StoredObject item)
    {
        var desired = (item.Generation, MetadataWithoutVersion(item.Object));
        lock (_gate)
        {
            var same = _desired.TryGetValue(item.Key, out var before) && before == desired;
            _desired[item.Key] = desired;
            return same;
        }
    }

    private static string MetadataWithoutVersion(JsonObject item)
    {
        if (item["metadata"] is not JsonObject metadata)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var (name, value) in metadata)
        {
            if (name != "resourceVersion")
            {
                text.Append(name).Append('=').Append(value?.ToJsonString()).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The mission that delivered <paramref name="item"/>, as far as the index knows.</summary>
    public ObjectKey? OwnerOf(ObjectKey item)
    {
        lock (_gate)
        {
            return _ownerOf.TryGetValue(item, out var owner) ? owner : null;
        }
    }

    /// <summary>The objects <paramref name="mission"/> owns, as far as the index knows.</summary>
    public IReadOnlyList<ObjectKey> Owned(ObjectKey mission)
    {
        lock (_gate)
        {
            return _owned.TryGetValue(mission, out var items) ? [.. items] : [];
        }
    }
}
