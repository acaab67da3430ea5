using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Core.Serialization;
using Fornax.Store;

namespace Fornax.Node.Api;

/// <summary>
/// The module blobs of a refused write: a client uploads a Function's module before it sends the Function, so when the
/// Function is refused (its module does not compile, a limit is wrong) the blob would stay behind, unreferenced. After
/// a refusal each module blob that no stored Function or Mission names is removed. Writes that carry modules hold
/// <see cref="LockAsync"/> from admission to the store, so a removal never races a write that is about to name the blob.
/// </summary>
internal sealed class RefusedModules(IObjectStore store, IBlobStore blobs) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The module digests an object names (a Function's, or those of the Functions a Mission carries).</summary>
    public static IReadOnlyList<string> Of(FornaxObject obj) => [.. Modules(ObjectSerializer.ToJsonObject(obj)).Distinct(StringComparer.Ordinal)];

    public async Task<IDisposable> LockAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Release(_gate);
    }

    /// <summary>Removes those of <paramref name="digests"/> that no stored object names. Call with the lock held.</summary>
    public async Task<IReadOnlyList<string>> RemoveUnreferencedAsync(IReadOnlyList<string> digests, CancellationToken ct)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in new[] { "Function", "Mission" })
        {
            foreach (var stored in (await store.ListAsync(kind, null, ct)).Items)
            {
                named.UnionWith(Modules(stored.Object));
            }
        }

        return [.. digests.Where(d => !named.Contains(d) && BlobDigest.IsValid(d) && blobs.Delete(d))];
    }

    private static IEnumerable<string> Modules(JsonObject obj)
    {
        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var text) ? text : null;
        if (kind == "Function" && obj["spec"]?["module"] is JsonValue m && m.TryGetValue<string>(out var digest))
        {
            yield return digest;
        }
        else if (kind == "Mission" && obj["spec"]?["content"] is JsonArray content)
        {
            foreach (var item in content.OfType<JsonObject>().SelectMany(Modules))
            {
                yield return item;
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
