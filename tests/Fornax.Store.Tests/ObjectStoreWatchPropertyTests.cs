using CsCheck;
using System.Text.Json.Nodes;

namespace Fornax.Store.Tests;

/// <summary>
/// For any sequence of writes, any history size and any start version: a watch delivers exactly
/// the committed changes after the start, in order, with the content each write returned, then
/// continues live; or it is Gone when the start was compacted.
/// </summary>
public sealed class ObjectStoreWatchPropertyTests
{
    private static readonly Gen<(int Op, int Name)[]> s_ops = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 4]).Array[1, 30];

    [Fact]
    public void Watch_AnyWritesAnyStart_DeliversExactlyTheCommittedSuffix()
    {
        Gen.Select(s_ops, Gen.Int[1, 40], Gen.Double[0, 1]).Sample(
            (ops, history, startFraction) => RunAsync(ops, history, startFraction).GetAwaiter().GetResult(),
            iter: 30,
            threads: 1);
    }

    private static async Task RunAsync((int Op, int Name)[] ops, int history, double startFraction)
    {
        using var dir = new TempDirectory();
        using var store = TestObjects.Open(dir.Path, watchHistory: history);
        var log = new List<(long Rv, WatchEventType Type, string Json)>();
        var n = 0;
        foreach (var (op, name) in ops)
        {
            var key = TestObjects.MissionKey($"m{name}");
            var exists = await store.GetAsync(key) is not null;
            n++;
            switch (op)
            {
                case 0 when !exists:
                    var created = await store.CreateAsync(TestObjects.Mission(key.Name, replicas: n));
                    log.Add((created.ResourceVersion, WatchEventType.Added, created.Object.ToJsonString()));
                    break;
                case 1 when exists:
                    var updated = await store.UpdateAsync(TestObjects.Mission(key.Name, replicas: n));
                    log.Add((updated.ResourceVersion, WatchEventType.Modified, updated.Object.ToJsonString()));
                    break;
                case 2 when exists:
                    var status = await store.UpdateStatusAsync(key, new JsonObject { ["n"] = n });
                    log.Add((status.ResourceVersion, WatchEventType.Modified, status.Object.ToJsonString()));
                    break;
                case 3 when exists:
                    var deleted = await store.DeleteAsync(key);
                    log.Add((deleted.ResourceVersion, WatchEventType.Deleted, deleted.Object.ToJsonString()));
                    break;
                default:
                    var applied = await store.ApplyAsync(TestObjects.Mission(key.Name, replicas: n));
                    log.Add((applied.Object.ResourceVersion, exists ? WatchEventType.Modified : WatchEventType.Added, applied.Object.Object.ToJsonString()));
                    break;
            }
        }

        var total = store.ResourceVersion;
        Assert.Equal(Enumerable.Range(1, (int)total).Select(i => (long)i), log.Select(l => l.Rv));
        var from = (long)Math.Round(startFraction * total);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = store.WatchAsync(from, ct: cts.Token).GetAsyncEnumerator();

        if (from < total - history)
        {
            var e = await Assert.ThrowsAsync<StoreException>(async () => await events.MoveNextAsync());
            Assert.Equal(StoreErrorReason.Gone, e.Reason);
            return;
        }

        foreach (var expected in log.Where(l => l.Rv > from))
        {
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(expected.Rv, events.Current.ResourceVersion);
            Assert.Equal(expected.Type, events.Current.Type);
            Assert.Equal(expected.Json, events.Current.Object.Object.ToJsonString());
        }

        // Nothing extra after the history: the next event is the next (live) write.
        var next = events.MoveNextAsync();
        var marker = await store.CreateAsync(TestObjects.Mission("marker"));
        Assert.True(await next);
        Assert.Equal(marker.ResourceVersion, events.Current.ResourceVersion);
    }
}
