using System.Diagnostics;
using System.Security.Cryptography;

namespace Fornax.Store.Tests;

public sealed class BlobStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly IBlobStore _blobs;

    public BlobStoreTests() => _blobs = BlobStore.Open(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Put_Bytes_StoresUnderSha256Digest()
    {
        var content = "hello wasm"u8.ToArray();
        var hex = Convert.ToHexStringLower(SHA256.HashData(content));

        var digest = await _blobs.PutAsync(content);

        Assert.Equal("sha256:" + hex, digest);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "blobs", "sha256", hex[..2], hex)));
        Assert.True(_blobs.Exists(digest));
        Assert.Equal(content.Length, _blobs.Length(digest));
        await using var read = _blobs.OpenRead(digest)!;
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task Delete_RemovesTheBlob_ASecondDeleteFindsNothing()
    {
        var digest = await _blobs.PutAsync("refused module"u8.ToArray());

        Assert.True(_blobs.Delete(digest));
        Assert.False(_blobs.Exists(digest));
        Assert.False(_blobs.Delete(digest));
    }

    [Fact]
    public async Task Put_LargeStream_SameDigestAsBytesAndNoTempFilesLeft()
    {
        var content = new byte[1_000_003];
        new Random(7).NextBytes(content);

        var fromStream = await _blobs.PutAsync(new MemoryStream(content));
        var fromBytes = await _blobs.PutAsync(content.AsMemory());

        Assert.Equal(BlobDigest.Compute(content), fromStream);
        Assert.Equal(fromStream, fromBytes);
        Assert.Equal(content.Length, _blobs.Length(fromStream));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_dir.Path, "blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Put_ExpectedDigestMatches_Stores()
    {
        var content = "abc"u8.ToArray();

        var digest = await _blobs.PutAsync(content, BlobDigest.Compute(content));

        Assert.True(_blobs.Exists(digest));
    }

    [Fact]
    public async Task Put_ExpectedDigestMismatch_ThrowsInvalidAndStoresNothing()
    {
        var expected = BlobDigest.Compute("other"u8);

        var e = await Assert.ThrowsAsync<StoreException>(() => _blobs.PutAsync(new MemoryStream("abc"u8.ToArray()), expected));

        Assert.Equal(StoreErrorReason.Invalid, e.Reason);
        Assert.Contains(expected, e.Message);
        Assert.False(_blobs.Exists(expected));
        Assert.False(_blobs.Exists(BlobDigest.Compute("abc"u8)));
        Assert.Empty(Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Get_Missing_ReturnsNothing()
    {
        var digest = BlobDigest.Compute("never stored"u8);

        Assert.False(_blobs.Exists(digest));
        Assert.Null(_blobs.OpenRead(digest));
        Assert.Null(_blobs.Length(digest));
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("sha256:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:../../../../../../../../../../../../../../../../../../etc/passwd")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public async Task AnyCall_MalformedDigest_ThrowsInvalid(string digest)
    {
        Assert.False(BlobDigest.IsValid(digest));
        Assert.Equal(StoreErrorReason.Invalid, Assert.Throws<StoreException>(() => _blobs.Exists(digest)).Reason);
        Assert.Equal(StoreErrorReason.Invalid, Assert.Throws<StoreException>(() => _blobs.OpenRead(digest)).Reason);
        Assert.Equal(StoreErrorReason.Invalid, Assert.Throws<StoreException>(() => _blobs.Length(digest)).Reason);
        var e = await Assert.ThrowsAsync<StoreException>(() => _blobs.PutAsync("x"u8.ToArray(), digest));
        Assert.Contains("64 lowercase hex", e.Message);
    }

    /// <summary>
    /// A real ENOSPC from a 1 MB tmpfs. Mounting needs root; where it is not permitted the test
    /// has nothing to check and returns (xunit 2 has no runtime skip).
    /// </summary>
    [Fact]
    public async Task Put_DiskFull_ThrowsStorageFullAndLeavesNothing()
    {
        var mountPoint = Path.Combine(_dir.Path, "small");
        Directory.CreateDirectory(mountPoint);
        if (!OperatingSystem.IsLinux() || Run("mount", $"-t tmpfs -o size=1m tmpfs {mountPoint}") != 0)
            return;
        try
        {
            var blobs = BlobStore.Open(mountPoint);
            var small = await blobs.PutAsync("fits"u8.ToArray());

            var e = await Assert.ThrowsAsync<StoreException>(() => blobs.PutAsync(new byte[4 * 1024 * 1024]));

            Assert.Equal(StoreErrorReason.StorageFull, e.Reason);
            Assert.True(blobs.Exists(small));
            Assert.Single(Directory.EnumerateFiles(mountPoint, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Run("umount", mountPoint);
        }
    }

    private static int Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
