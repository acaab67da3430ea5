namespace Fornax.Store.Tests;

/// <summary>
/// A full disk, made real through SQLite's max_page_count (the same SQLITE_FULL a full disk
/// gives, without needing a small filesystem).
/// </summary>
public sealed class ObjectStoreStorageFullTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Create_DatabaseFull_ThrowsStorageFullAndKeepsPreviousData()
    {
        using var store = TestObjects.Open(_dir.Path, maxDatabaseBytes: 128 * 1024);
        var padding = new string('x', 4_000);
        var written = new List<StoredObject>();
        StoreException? full = null;
        for (var i = 0; i < 1_000 && full is null; i++)
        {
            var obj = TestObjects.Mission($"m{i}");
            obj["spec"]!["padding"] = padding;
            try
            {
                written.Add(await store.CreateAsync(obj));
            }
            catch (StoreException e)
            {
                full = e;
            }
        }

        Assert.NotNull(full);
        Assert.Equal(StoreErrorReason.StorageFull, full.Reason);
        Assert.Equal(507, full.StatusCode);
        Assert.Contains($"Mission default/m{written.Count}", full.Message);
        Assert.NotEmpty(written);
        Assert.Equal(written.Count, store.ResourceVersion);

        // Reads keep working, the failed object is absent, and the writer is not stuck in a transaction.
        var list = await store.ListAsync(null, null);
        Assert.Equal(written.Select(w => w.Key).OrderBy(k => k.Name, StringComparer.Ordinal), list.Items.Select(i => i.Key));
        Assert.Null(await store.GetAsync(TestObjects.MissionKey($"m{written.Count}")));
        var again = TestObjects.Mission("again");
        again["spec"]!["padding"] = padding;
        var e2 = await Assert.ThrowsAsync<StoreException>(() => store.CreateAsync(again));
        Assert.Equal(StoreErrorReason.StorageFull, e2.Reason);
        Assert.Equal(written.Count, store.ResourceVersion);
    }

    [Fact]
    public async Task Reopen_AfterStorageFull_HasEveryAcknowledgedWrite()
    {
        var acknowledged = new List<StoredObject>();
        using (var store = TestObjects.Open(_dir.Path, maxDatabaseBytes: 96 * 1024))
        {
            try
            {
                for (var i = 0; i < 1_000; i++)
                {
                    var obj = TestObjects.Mission($"m{i}");
                    obj["spec"]!["padding"] = new string('y', 3_000);
                    acknowledged.Add(await store.CreateAsync(obj));
                }
            }
            catch (StoreException e) when (e.Reason == StoreErrorReason.StorageFull)
            {
            }
        }

        using var reopened = TestObjects.Open(_dir.Path);
        foreach (var ack in acknowledged)
        {
            var stored = await reopened.GetAsync(ack.Key);
            Assert.Equal(ack.Object.ToJsonString(), stored!.Object.ToJsonString());
        }
        Assert.Equal(acknowledged.Count, reopened.ResourceVersion);
        var next = await reopened.CreateAsync(TestObjects.Mission("after"));
        Assert.Equal(acknowledged.Count + 1, next.ResourceVersion);
    }
}
