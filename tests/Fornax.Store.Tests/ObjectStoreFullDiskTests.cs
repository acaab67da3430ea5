using Fornax.Testing;
using Xunit.Abstractions;

namespace Fornax.Store.Tests;

/// <summary>
/// The store on a real full disk (a 16 MiB tmpfs filled to the last block): it opens read-only instead of failing, with
/// or without a write-ahead log left by a crash, refuses writes as StorageFull, and takes them again when there is room.
/// </summary>
public sealed class ObjectStoreFullDiskTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Open_OnAFullDiskAfterACrash_ReadsTheWriteAheadLog_AndResumesWithoutReusingAVersion()
    {
        using var disk = SmallDisk.TryMount(output.WriteLine);
        if (disk is null)
            return;

        // A crash: the files as an open store leaves them, its last writes only in objects.db-wal.
        using var source = new TempDirectory();
        await using (var open = TestObjects.Open(source.Path))
        {
            for (var i = 0; i < 5; i++)
                await open.CreateAsync(TestObjects.Mission($"m{i}"));
            foreach (var file in Directory.GetFiles(source.Path, "objects.db*"))
                File.Copy(file, Path.Combine(disk.DataDirectory, Path.GetFileName(file)));
        }

        Assert.True(new FileInfo(Path.Combine(disk.DataDirectory, "objects.db-wal")).Length > 0);
        disk.Fill();
        using var store = TestObjects.Open(disk.DataDirectory);

        Assert.True(store.Storage.ReadOnly);
        Assert.Contains($"no space left on device ({Path.Combine(disk.DataDirectory, "objects.db")})", store.Storage.Reason, StringComparison.Ordinal);
        Assert.Equal(5, (await store.ListAsync("Mission", null)).Items.Count);
        Assert.Equal(5, store.ResourceVersion);
        var refused = await Assert.ThrowsAsync<StoreException>(() => store.CreateAsync(TestObjects.Mission("refused")));
        Assert.Equal(StoreErrorReason.StorageFull, refused.Reason);
        Assert.Contains("read-only", refused.Message, StringComparison.Ordinal);
        Assert.True(store.TryResumeWrites().ReadOnly); // still full

        disk.Free();
        Assert.False(store.TryResumeWrites().ReadOnly);
        var next = await store.CreateAsync(TestObjects.Mission("after"));
        // The crashed store had reserved versions for relaxed writes: the next one comes after them, never one reused.
        Assert.True(next.ResourceVersion > 5, $"resourceVersion {next.ResourceVersion} reuses one");
        Assert.Equal(6, (await store.ListAsync("Mission", null)).Items.Count);
    }

    [Fact]
    public async Task Open_OnAFullDiskAfterACleanClose_ReadsTheDatabase_AndAWriteThatFillsTheDiskTurnsItReadOnly()
    {
        using var disk = SmallDisk.TryMount(output.WriteLine);
        if (disk is null)
            return;

        await using (var first = TestObjects.Open(disk.DataDirectory))
            await first.CreateAsync(TestObjects.Mission("kept"));
        disk.Fill();

        using (var readOnly = TestObjects.Open(disk.DataDirectory))
        {
            Assert.True(readOnly.Storage.ReadOnly);
            Assert.NotNull(await readOnly.GetAsync(TestObjects.MissionKey("kept")));
        }

        disk.Free();
        using var store = TestObjects.Open(disk.DataDirectory);
        Assert.False(store.Storage.ReadOnly);
        var changes = new List<StorageState>();
        store.StorageChanged += changes.Add;
        disk.Fill();
        var big = TestObjects.Mission("big");
        big["spec"]!["padding"] = new string('x', 1024 * 1024);

        var full = await Assert.ThrowsAsync<StoreException>(() => store.CreateAsync(big));

        Assert.Equal(StoreErrorReason.StorageFull, full.Reason);
        Assert.True(store.Storage.ReadOnly);
        Assert.Equal([true], changes.Select(c => c.ReadOnly));
        Assert.Null(await store.GetAsync(TestObjects.MissionKey("big")));
        Assert.NotNull(await store.GetAsync(TestObjects.MissionKey("kept")));
    }

    [Fact]
    public void Open_NewStoreOnAFullDisk_SaysThereIsNoRoomToCreateIt()
    {
        using var disk = SmallDisk.TryMount(output.WriteLine);
        if (disk is null)
            return;

        disk.Fill();

        var e = Assert.Throws<StoreException>(() => TestObjects.Open(disk.DataDirectory));

        Assert.Equal(StoreErrorReason.StorageFull, e.Reason);
        Assert.Contains("no space left on device to create the database of a new site", e.Message, StringComparison.Ordinal);
    }
}
