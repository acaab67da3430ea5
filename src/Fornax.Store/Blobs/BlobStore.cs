namespace Fornax.Store;

/// <summary>Opens blob stores.</summary>
public static class BlobStore
{
    /// <summary>
    /// Opens the blob store of a data directory (blobs live under <c>DATA/blobs/sha256</c>). It takes
    /// no lock: puts are atomic renames of verified content, so concurrent writers cannot corrupt it.
    /// </summary>
    public static IBlobStore Open(string dataDirectory)
    {
        if (string.IsNullOrWhiteSpace(dataDirectory))
            throw new ArgumentException($"dataDirectory: \"{dataDirectory}\" must name a directory", nameof(dataDirectory));
        return new FileBlobStore(Path.Combine(Path.GetFullPath(dataDirectory), "blobs", "sha256"));
    }
}
