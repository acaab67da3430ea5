using System.Text.Json.Nodes;

namespace Fornax.Store;

/// <summary>
/// The durable store of one site's control-plane objects, Kubernetes-style: every write takes the
/// next value of one site-wide <c>resourceVersion</c> counter, and <see cref="WatchAsync"/> replays
/// every change after a version, in order, exactly once. Failures are <see cref="StoreException"/>s.
/// </summary>
/// <remarks>
/// The store is unstructured: it knows <c>kind</c>, <c>metadata</c> and <c>status</c>, nothing else.
/// Writes are serialized and durable once their task completes; reads run concurrently with writes.
/// Writes that would not change anything (same content) write nothing and keep the version.
/// <para>
/// Durability: every write is <see cref="WriteDurability.Durable"/> unless the caller passes
/// <see cref="WriteDurability.Relaxed"/> (only <see cref="ApplyAsync(JsonObject, WriteDurability, CancellationToken)"/>
/// and <see cref="UpdateStatusAsync(ObjectKey, JsonNode?, long?, WriteDurability, CancellationToken)"/> take it): a
/// write derived from something the caller rebuilds after a restart. A relaxed write is read, watched and versioned
/// exactly like a durable one; only its group commit skips the fsync when no durable write shares it. A durable write
/// that completes also makes every earlier write durable (the log is append-only), and a durable write that finds an
/// object as a relaxed write left it waits until that write is on disk. The resourceVersion never goes back, even when an OS
/// crash loses relaxed writes: relaxed commits only use versions reserved by the last durable commit, and a store
/// opened after an unclean shutdown continues after the reservation (a gap in the versions, never a reuse).
/// </para>
/// </remarks>
public interface IObjectStore : IAsyncDisposable, IDisposable
{
    /// <summary>The resourceVersion of the last committed write (0 for an empty store).</summary>
    long ResourceVersion { get; }

    /// <summary>How many transactions this instance committed, and how many of them fsynced.</summary>
    StoreCommitCounts CommitCounts { get; }

    /// <summary>Gets one object, or null when it does not exist.</summary>
    Task<StoredObject?> GetAsync(ObjectKey key, CancellationToken ct = default);

    /// <summary>Lists objects, filtered by kind and namespace (null = all), sorted by kind, namespace, name.</summary>
    Task<ObjectList> ListAsync(string? kind, string? @namespace, CancellationToken ct = default);

    /// <summary>
    /// Creates an object. Status in <paramref name="obj"/> is dropped (set it with
    /// <see cref="UpdateStatusAsync(ObjectKey, JsonNode?, long?, WriteDurability, CancellationToken)"/>). Throws AlreadyExists when the key is taken.
    /// </summary>
    Task<StoredObject> CreateAsync(JsonObject obj, CancellationToken ct = default);

    /// <summary>
    /// Replaces everything but <c>status</c> (which only <see cref="UpdateStatusAsync(ObjectKey, JsonNode?, long?, WriteDurability, CancellationToken)"/> changes).
    /// When <c>metadata.resourceVersion</c> is set it is a precondition (Conflict when stale).
    /// Throws NotFound when the object does not exist.
    /// </summary>
    Task<StoredObject> UpdateAsync(JsonObject obj, CancellationToken ct = default);

    /// <summary>
    /// Creates or updates atomically; <see cref="ApplyOutcome.Unchanged"/> writes nothing. A <c>metadata.resourceVersion</c>
    /// is a precondition: Conflict when stale, and when the object does not exist (it is never re-created from a stale copy).
    /// </summary>
    Task<(StoredObject Object, ApplyOutcome Outcome)> ApplyAsync(JsonObject obj, CancellationToken ct = default) =>
        ApplyAsync(obj, WriteDurability.Durable, ct);

    /// <summary>Creates or updates atomically, as <paramref name="durability"/> says (see the remarks of <see cref="IObjectStore"/>).</summary>
    Task<(StoredObject Object, ApplyOutcome Outcome)> ApplyAsync(JsonObject obj, WriteDurability durability, CancellationToken ct = default);

    /// <summary>Replaces (null removes) the status; never bumps generation. NotFound / Conflict.</summary>
    Task<StoredObject> UpdateStatusAsync(ObjectKey key, JsonNode? status, long? expectedResourceVersion = null, CancellationToken ct = default) =>
        UpdateStatusAsync(key, status, expectedResourceVersion, WriteDurability.Durable, ct);

    /// <summary>Replaces (null removes) the status, as <paramref name="durability"/> says. NotFound / Conflict.</summary>
    Task<StoredObject> UpdateStatusAsync(ObjectKey key, JsonNode? status, long? expectedResourceVersion, WriteDurability durability, CancellationToken ct = default);

    /// <summary>Deletes an object and returns its last state stamped with the deletion's version. NotFound / Conflict.</summary>
    Task<StoredObject> DeleteAsync(ObjectKey key, long? expectedResourceVersion = null, CancellationToken ct = default);

    /// <summary>
    /// Streams every change with resourceVersion greater than <paramref name="fromResourceVersion"/>,
    /// in order and exactly once, then live changes until <paramref name="ct"/> is cancelled.
    /// Start from <see cref="ObjectList.ResourceVersion"/> of a list (0 = from the beginning).
    /// </summary>
    /// <remarks>
    /// Throws Gone (re-list, then watch again) when the version was compacted out of the history
    /// (<see cref="ObjectStoreOptions.WatchHistory"/>), is newer than the store (data directory
    /// reset), or when this watcher fell more than <see cref="ObjectStoreOptions.WatchBuffer"/>
    /// events behind: a slow watcher is cut off rather than allowed to slow down writers.
    /// </remarks>
    IAsyncEnumerable<WatchEvent> WatchAsync(long fromResourceVersion, string? kind = null, string? @namespace = null, CancellationToken ct = default);
}
