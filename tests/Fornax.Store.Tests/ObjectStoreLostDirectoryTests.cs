namespace Fornax.Store.Tests;

/// <summary>
/// The data directory deleted under the running store (a clean-up of /tmp, an <c>rm -rf</c>): SQLite went on writing to a
/// file no path led to, acknowledging writes the next start would not find. The store now refuses every write from the
/// first one that finds its database gone, read-only for good, saying why.
/// </summary>
public sealed class ObjectStoreLostDirectoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ADeletedDataDirectory_RefusesEveryWriteSayingWhy_ForGood()
    {
        using var store = TestObjects.Open(_dir.Path);
        var changes = new List<StorageState>();
        store.StorageChanged += changes.Add;
        await store.CreateAsync(TestObjects.Mission("before"));

        Directory.Delete(_dir.Path, recursive: true);

        var refused = await Assert.ThrowsAsync<StoreException>(() => store.CreateAsync(TestObjects.Mission("after")));
        Assert.Equal(StoreErrorReason.StorageFull, refused.Reason); // 507, as every refused write of a read-only store
        Assert.Equal(
            $"Mission default/after: the object store is read-only: the data directory {_dir.Path} was deleted while the site ran ({Path.Combine(_dir.Path, "objects.db")} is gone); nothing was written. Restart the site to start it afresh on that directory",
            refused.Message);
        Assert.True(store.Storage is { ReadOnly: true, Lost: true });
        Assert.Equal(1, store.ResourceVersion);
        var change = Assert.Single(changes);
        Assert.True(change.Lost);

        // For good: a directory made again, with room, does not bring the writer back (its files are not the site's).
        Directory.CreateDirectory(_dir.Path);
        Assert.True(store.TryResumeWrites().Lost);
        await Assert.ThrowsAsync<StoreException>(() => store.CreateAsync(TestObjects.Mission("later")));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "objects.db")));
    }
}
