using System.Text.Json.Nodes;
using Fornax.Store;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// The real store, seen through two instruments: while <see cref="Failing"/> is set every write to a <c>Site</c> object
/// throws <see cref="StoreErrorReason.StorageFull"/>, as SQLite does when the disk is full; and <see cref="MissionLists"/>
/// counts the lists of missions. Everything else goes through.
/// </summary>
internal sealed class InstrumentedStore(IObjectStore inner) : IObjectStore
{
    private int _missionLists;

    public bool Failing { get; set; }

    public int MissionLists => Volatile.Read(ref _missionLists);

    public long ResourceVersion => inner.ResourceVersion;

    public StoreCommitCounts CommitCounts => inner.CommitCounts;

    public StorageState Storage => inner.Storage;

    public event Action<StorageState>? StorageChanged
    {
        add => inner.StorageChanged += value;
        remove => inner.StorageChanged -= value;
    }

    public StorageState TryResumeWrites() => inner.TryResumeWrites();

    public Task<StoredObject?> GetAsync(ObjectKey key, CancellationToken ct = default) => inner.GetAsync(key, ct);

    public Task<ObjectList> ListAsync(string? kind, string? @namespace, CancellationToken ct = default)
    {
        if (kind == "Mission")
        {
            Interlocked.Increment(ref _missionLists);
        }

        return inner.ListAsync(kind, @namespace, ct);
    }

    public Task<StoredObject> CreateAsync(JsonObject obj, CancellationToken ct = default) =>
        FailIfSite(obj["kind"]?.GetValue<string>()) ?? inner.CreateAsync(obj, ct);

    public Task<StoredObject> UpdateAsync(JsonObject obj, CancellationToken ct = default) =>
        FailIfSite(obj["kind"]?.GetValue<string>()) ?? inner.UpdateAsync(obj, ct);

    public Task<(StoredObject Object, ApplyOutcome Outcome)> ApplyAsync(JsonObject obj, WriteDurability durability, CancellationToken ct = default) =>
        Failing && obj["kind"]?.GetValue<string>() == "Site" ? Task.FromException<(StoredObject, ApplyOutcome)>(Full()) : inner.ApplyAsync(obj, durability, ct);

    public Task<StoredObject> UpdateStatusAsync(ObjectKey key, JsonNode? status, long? expectedResourceVersion, WriteDurability durability, CancellationToken ct = default) =>
        FailIfSite(key.Kind) ?? inner.UpdateStatusAsync(key, status, expectedResourceVersion, durability, ct);

    public Task<StoredObject> DeleteAsync(ObjectKey key, long? expectedResourceVersion = null, CancellationToken ct = default) =>
        FailIfSite(key.Kind) ?? inner.DeleteAsync(key, expectedResourceVersion, ct);

    public IAsyncEnumerable<WatchEvent> WatchAsync(long fromResourceVersion, string? kind = null, string? @namespace = null, CancellationToken ct = default) =>
        inner.WatchAsync(fromResourceVersion, kind, @namespace, ct);

    // The test owns the real store and disposes it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
    }

    private Task<StoredObject>? FailIfSite(string? kind) => Failing && kind == "Site" ? Task.FromException<StoredObject>(Full()) : null;

    private static StoreException Full() => new(StoreErrorReason.StorageFull, "database or disk is full (injected by the test)");
}
