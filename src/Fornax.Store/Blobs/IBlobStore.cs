namespace Fornax.Store;

/// <summary>
/// Content-addressed storage for large immutable content (Wasm modules, ...), named by digest
/// <c>sha256:&lt;64 lowercase hex&gt;</c>. A put is durable and atomic: a blob either exists whole
/// and verified, or not at all. Malformed digests are rejected with StoreException(Invalid).
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores <paramref name="content"/> (read to its end) and returns its digest.</summary>
    Task<string> PutAsync(Stream content, CancellationToken ct = default);

    /// <summary>As <see cref="PutAsync(Stream, CancellationToken)"/>, but stores nothing and throws Invalid unless the content hashes to <paramref name="expectedDigest"/>.</summary>
    Task<string> PutAsync(Stream content, string expectedDigest, CancellationToken ct = default);

    /// <summary>Stores <paramref name="content"/> and returns its digest.</summary>
    Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default);

    /// <summary>As <see cref="PutAsync(ReadOnlyMemory{byte}, CancellationToken)"/>, verified against <paramref name="expectedDigest"/>.</summary>
    Task<string> PutAsync(ReadOnlyMemory<byte> content, string expectedDigest, CancellationToken ct = default);

    /// <summary>True when the blob is stored.</summary>
    bool Exists(string digest);

    /// <summary>Opens the blob for reading, or returns null when it is not stored. The caller disposes the stream.</summary>
    Stream? OpenRead(string digest);

    /// <summary>The blob's size in bytes, or null when it is not stored.</summary>
    long? Length(string digest);

    /// <summary>
    /// Removes a blob; false when it was not stored. Readers that opened it keep reading it. Not fsynced: a blob that
    /// comes back after a crash is unreferenced garbage, never a missing module.
    /// </summary>
    bool Delete(string digest);
}
