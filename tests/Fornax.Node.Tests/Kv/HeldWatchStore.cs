using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Fornax.Store;

namespace Fornax.Node.Tests.Kv;

/// <summary>
/// The real store, with its watches held: a watch begun before <see cref="FallBehind"/> delivers nothing, then ends
/// with <see cref="StoreErrorReason.Gone"/>, as the store ends a watcher that fell behind its buffer or history. Watches
/// begun after go through. Everything else goes through.
/// </summary>
internal sealed class HeldWatchStore(IObjectStore inner) : IObjectStore
{
    private readonly TaskCompletionSource _behind = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _watches;

    /// <summary>How many watches were begun, held ones included.</summary>
    public int Watches => Volatile.Read(ref _watches);

    /// <summary>Ends every held watch with Gone; later watches go through.</summary>
    public void FallBehind() => _behind.TrySetResult();

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

    public Task<ObjectList> ListAsync(string? kind, string? @namespace, CancellationToken ct = default) => inner.ListAsync(kind, @namespace, ct);

    public Task<StoredObject> CreateAsync(JsonObject obj, CancellationToken ct = default) => inner.CreateAsync(obj, ct);

    public Task<StoredObject> UpdateAsync(JsonObject obj, CancellationToken ct = default) => inner.UpdateAsync(obj, ct);

    public Task<(StoredObject Object, ApplyOutcome Outcome)> ApplyAsync(JsonObject obj, WriteDurability durability, CancellationToken ct = default) =>
        inner.ApplyAsync(obj, durability, ct);

    public Task<StoredObject> UpdateStatusAsync(ObjectKey key, JsonNode? status, long? expectedResourceVersion, WriteDurability durability, CancellationToken ct = default) =>
        inner.UpdateStatusAsync(key, status, expectedResourceVersion, durability, ct);

    public Task<StoredObject> DeleteAsync(ObjectKey key, long? expectedResourceVersion = null, CancellationToken ct = default) =>
        inner.DeleteAsync(key, expectedResourceVersion, ct);

    public async IAsyncEnumerable<WatchEvent> WatchAsync(long fromResourceVersion, string? kind = null, string? @namespace = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        Interlocked.Increment(ref _watches);
        if (!_behind.Task.IsCompleted)
        {
            await _behind.Task.WaitAsync(ct);
            throw new StoreException(StoreErrorReason.Gone, $"resourceVersion {fromResourceVersion}: the watcher fell behind (injected by the test)");
        }

        await foreach (var change in inner.WatchAsync(fromResourceVersion, kind, @namespace, ct))
        {
            yield return change;
        }
    }

    // The test owns the real store and disposes it.
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
    }
}
