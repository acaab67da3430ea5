namespace Fornax.Store.Tests;

/// <summary>Concurrent writes share transactions; a refused write must fail alone and change nothing.</summary>
public sealed class ObjectStoreGroupCommitTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ConcurrentWrites_SomeRefused_OthersCommitWithDenseVersions()
    {
        using (var store = TestObjects.Open(_dir.Path))
        {
            for (var i = 0; i < 50; i += 2)
            {
                await store.CreateAsync(TestObjects.Mission($"m{i}"));
            }

            var before = store.ResourceVersion;

            // Every even name exists already: those creates are refused inside whatever batch they land in.
            var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
            {
                try
                {
                    return (i, (await store.CreateAsync(TestObjects.Mission($"m{i}", replicas: 7))).ResourceVersion, (StoreErrorReason?)null);
                }
                catch (StoreException e)
                {
                    return (i, 0L, e.Reason);
                }
            }));

            Assert.All(results.Where(r => r.i % 2 == 0), r => Assert.Equal(StoreErrorReason.AlreadyExists, r.Item3));
            var committed = results.Where(r => r.i % 2 == 1).Select(r => r.ResourceVersion).Order().ToArray();
            Assert.Equal(Enumerable.Range(1, 25).Select(n => before + n), committed);
            Assert.Equal(before + 25, store.ResourceVersion);
            Assert.Equal(1, (int)(await store.GetAsync(TestObjects.MissionKey("m0")))!.Object["spec"]!["replicas"]!);
        }

        using var reopened = TestObjects.Open(_dir.Path);
        Assert.Equal(50, (await reopened.ListAsync("Mission", null)).Items.Count);
    }
}
