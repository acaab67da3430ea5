using System.Text.Json.Nodes;

namespace Fornax.Store;

/// <summary>
/// An object as stored: <see cref="Object"/> carries the filled-in metadata (resourceVersion,
/// generation, uid, creationTimestamp). Each caller gets its own <see cref="JsonObject"/>, so
/// mutating it changes nothing in the store.
/// </summary>
public sealed record StoredObject(ObjectKey Key, long ResourceVersion, long Generation, JsonObject Object);
