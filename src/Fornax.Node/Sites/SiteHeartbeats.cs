using System.Globalization;
using System.Text.Json.Nodes;
using Fornax.Hierarchy.Links;
using Fornax.Store;

namespace Fornax.Node.Sites;

/// <summary>
/// Serves a <c>Site</c>'s <c>status.lastHeartbeat</c> from memory when the links heard a newer one than the store holds:
/// a Site whose only change is its heartbeat time is rewritten only every few heartbeats (<see cref="LinkOptions.SiteRefreshHeartbeats"/>),
/// and <c>fornax get sites</c> must still show how long ago each site was really heard from.
/// </summary>
internal sealed class SiteHeartbeats(Downlinks downlinks)
{
    /// <summary>
    /// The object as the API returns it, with the newest known heartbeat time for a Site. The stored object itself is
    /// never changed: a Site with a newer time comes back as a copy, anything else as it is stored, or as a copy when
    /// <paramref name="copy"/> asks for one (to place it in a list).
    /// </summary>
    public JsonObject Fresh(StoredObject stored, bool copy)
    {
        if (stored.Key.Kind != "Site" || stored.Object["status"] is not JsonObject status || status["path"]?.GetValue<string>() is not { } path
            || downlinks.LastHeartbeatOf(path) is not { } heard
            || (Stamp(status["lastHeartbeat"]) is { } written && written >= heard))
        {
            return copy ? stored.Object.DeepClone().AsObject() : stored.Object;
        }

        var fresh = stored.Object.DeepClone().AsObject();
        fresh["status"]!["lastHeartbeat"] = JsonValue.Create(heard);
        return fresh;
    }

    private static DateTimeOffset? Stamp(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<DateTimeOffset>(out var stamp) => stamp,
        JsonValue value when value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) => parsed,
        _ => null,
    };
}
