using System.Text.Json.Nodes;

namespace Fornax.Store;

/// <summary>
/// One row of the change log, as read from the table or published live. It carries the JSON text,
/// not a <see cref="JsonObject"/>, so every watcher materializes its own mutable copy.
/// </summary>
internal sealed record ChangeRecord(long ResourceVersion, WatchEventType Type, ObjectKey Key, long Generation, string Json)
{
    public bool Matches(string? kind, string? @namespace) =>
        (kind is null || kind == Key.Kind) && (@namespace is null || @namespace == Key.Namespace);

    public WatchEvent ToWatchEvent() =>
        new(Type, ResourceVersion, new StoredObject(Key, ResourceVersion, Generation, JsonNode.Parse(Json)!.AsObject()));
}
