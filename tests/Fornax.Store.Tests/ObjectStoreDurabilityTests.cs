using System.Text.Json.Nodes;

namespace Fornax.Store.Tests;

public sealed class ObjectStoreDurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Reopen_AfterWrites_KeepsObjectsVersionAndHistory()
    {
        using (var store = TestObjects.Open(_dir.Path))
        {
            await store.CreateAsync(TestObjects.Mission("m1"));
            await store.CreateAsync(TestObjects.Mission("m2"));
            await store.UpdateAsync(TestObjects.Mission("m1", replicas: 3));
            await store.UpdateStatusAsync(TestObjects.MissionKey("m1"), new JsonObject { ["phase"] = "Ready" });
            await store.DeleteAsync(TestObjects.MissionKey("m2"));
        }

        using var reopened = TestObjects.Open(_dir.Path);
        var reopenedVersion = reopened.ResourceVersion;
        var list = await reopened.ListAsync(null, null);
        var m1 = Assert.Single(list.Items);
        await using var watch = new WatchCollector(reopened, 0);
        var history = await watch.WaitFor(e => e.Count >= 5);
        var next = await reopened.CreateAsync(TestObjects.Mission("m3"));

        Assert.Equal(5, reopenedVersion);
        Assert.Equal(5, list.ResourceVersion);
        Assert.Equal(4, m1.ResourceVersion);
        Assert.Equal(2, m1.Generation);
        Assert.Equal("Ready", (string?)m1.Object["status"]!["phase"]);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], history.Select(e => e.ResourceVersion));
        Assert.Equal(6, next.ResourceVersion);
    }

    [Fact]
    public void Open_DirectoryAlreadyOpen_ThrowsLockedNamingTheDirectory()
    {
        using var first = TestObjects.Open(_dir.Path);

        var e = Assert.Throws<StoreException>(() => TestObjects.Open(_dir.Path));

        Assert.Equal(StoreErrorReason.Locked, e.Reason);
        Assert.Contains(_dir.Path, e.Message);
    }

    [Fact]
    public async Task Open_AfterDispose_Succeeds()
    {
        var first = TestObjects.Open(_dir.Path);
        await first.CreateAsync(TestObjects.Mission("m1"));
        await first.DisposeAsync();

        using var second = TestObjects.Open(_dir.Path);

        Assert.Equal(1, second.ResourceVersion);
    }

    [Fact]
    public async Task Write_AfterDispose_ThrowsObjectDisposed()
    {
        var store = TestObjects.Open(_dir.Path);
        store.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CreateAsync(TestObjects.Mission("m1")));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync(TestObjects.MissionKey("m1")));
    }
}
