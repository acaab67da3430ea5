namespace Fornax.Store;

/// <summary>
/// Whether an <see cref="IObjectStore"/> takes writes. A store is <see cref="ReadOnly"/> when its disk is full: opened
/// that way at start (the database could not be opened for writing), or switched to it by a write that found no room;
/// or for good when its data directory was deleted under it (<see cref="Lost"/>).
/// Reads and watches are served either way; writes fail with <see cref="StoreErrorReason.StorageFull"/> until
/// <see cref="IObjectStore.TryResumeWrites"/> finds room again.
/// </summary>
/// <param name="ReadOnly">True while writes are refused.</param>
/// <param name="Reason">Why, naming the file (<c>no space left on device (/var/lib/fornax/objects.db)</c>); null when writable.</param>
/// <param name="Since">When the store became read-only; null when writable.</param>
public sealed record StorageState(bool ReadOnly, string? Reason, DateTimeOffset? Since)
{
    public static StorageState Writable { get; } = new(false, null, null);

    /// <summary>Read-only for good: the data directory was deleted under the running store (a restart starts afresh).</summary>
    public bool Lost { get; init; }

    /// <summary><c>read-write</c> or <c>read-only</c>, as <c>/api/site</c> shows it.</summary>
    public string Name => ReadOnly ? "read-only" : "read-write";
}
