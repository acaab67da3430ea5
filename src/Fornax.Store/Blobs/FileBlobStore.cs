using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Fornax.Store;

/// <summary>
/// Blobs as files <c>ROOT/&lt;first 2 hex&gt;/&lt;hex&gt;</c>. A put streams into a temp file under
/// ROOT (same filesystem), hashing as it goes, fsyncs it, checks the digest, then renames it into
/// place and fsyncs the directory: readers never see a partial or unverified blob.
/// </summary>
internal sealed class FileBlobStore(string root) : IBlobStore
{
    // 80 KB: the largest buffer that stays out of the large-object heap, the usual copy size in .NET.
    private const int BufferSize = 81_920;

    public Task<string> PutAsync(Stream content, CancellationToken ct = default) => PutCoreAsync(content, null, ct);

    public Task<string> PutAsync(Stream content, string expectedDigest, CancellationToken ct = default)
    {
        BlobDigest.Hex(expectedDigest);
        return PutCoreAsync(content, expectedDigest, ct);
    }

    public Task<string> PutAsync(ReadOnlyMemory<byte> content, CancellationToken ct = default) =>
        PutCoreAsync(AsStream(content), null, ct);

    public Task<string> PutAsync(ReadOnlyMemory<byte> content, string expectedDigest, CancellationToken ct = default)
    {
        BlobDigest.Hex(expectedDigest);
        return PutCoreAsync(AsStream(content), expectedDigest, ct);
    }

    public bool Exists(string digest) => File.Exists(PathOf(digest));

    public Stream? OpenRead(string digest)
    {
        try
        {
            return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public long? Length(string digest)
    {
        var info = new FileInfo(PathOf(digest));
        return info.Exists ? info.Length : null;
    }

    public bool Delete(string digest)
    {
        var path = PathOf(digest);
        if (!File.Exists(path))
            return false;
        File.Delete(path);
        return true;
    }

    private string PathOf(string digest)
    {
        var hex = BlobDigest.Hex(digest);
        return Path.Combine(root, hex[..2], hex);
    }

    private async Task<string> PutCoreAsync(Stream content, string? expectedDigest, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        Directory.CreateDirectory(root);
        var temp = Path.Combine(root, $".tmp-{Guid.NewGuid():N}");
        try
        {
            var digest = await WriteTempAsync(content, temp, ct).ConfigureAwait(false);
            if (expectedDigest is not null && digest != expectedDigest)
                StoreErrors.Invalid($"blob content hashes to {digest}, not the expected {expectedDigest}; nothing was stored");

            var target = PathOf(digest);
            var directory = Path.GetDirectoryName(target)!;
            var created = !Directory.Exists(directory);
            Directory.CreateDirectory(directory);
            // Same content under the same name: replacing an existing blob is harmless and keeps
            // concurrent puts of one blob free of races.
            File.Move(temp, target, overwrite: true);
            DirectorySync.Flush(directory);
            if (created)
                DirectorySync.Flush(root);
            return digest;
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            throw new StoreException(StoreErrorReason.StorageFull, $"blob store {root}: storage is full; nothing was stored", e);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static async Task<string> WriteTempAsync(Stream content, string temp, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous);
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return BlobDigest.Format(hash.GetHashAndReset());
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temp file is garbage, not corruption; it never has a digest name.
        }
    }
}
