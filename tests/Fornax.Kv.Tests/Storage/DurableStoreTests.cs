using Fornax.Kv.Engine;
using Fornax.Kv.Tests.Engine;
using Fornax.Testing;
using Microsoft.Extensions.Time.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Storage;

public sealed class DurableStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    private IKvStore Open(KvDurability durability = KvDurability.Always) => KvStore.Open(new KvStoreOptions
    {
        DataDirectory = _dir.Path,
        SiteId = "site-a",
        Durability = durability,
        TimeProvider = _time,
    });

    [Theory]
    [InlineData(KvDurability.Always)]
    [InlineData(KvDurability.EverySecond)]
    [InlineData(KvDurability.None)]
    public async Task Reopen_KeepsEveryType_WithExpiryAndCounters(KvDurability durability)
    {
        var now = Start.ToUnixTimeMilliseconds();
        await using (var store = Open(durability))
        {
            store.Set("s", "text");
            store.Run(tx => tx.IncrementBy(B("n"), 41));
            store.Run(tx => tx.IncrementByFloat(B("f"), 1.5));
            store.Do(tx => tx.SetAdd(B("set"), B("a")));
            store.Do(tx => tx.SetAdd(B("set"), B("b")));
            store.Do(tx => tx.SetRemove(B("set"), B("a")));
            store.Do(tx => tx.HashSet(B("h"), B("f"), B("v")));
            store.Run(tx => tx.HashIncrementBy(B("h"), B("c"), 7));
            store.Do(tx => tx.SetExpiry(B("s"), now + 60_000));
            store.Set("gone", "x");
            store.Do(tx => tx.Delete(B("gone")));
            await store.Execute(0, static (tx, _) => tx.SetAdd("last"u8, "x"u8), out _).WaitAsync();
        }

        await using (var store = Open(durability))
        {
            Assert.Equal("text", store.Get("s"));
            Assert.Equal(now + 60_000, store.Run(tx => tx.GetExpiry(B("s"))));
            Assert.Equal(42, store.Run(tx => tx.IncrementBy(B("n"), 1)));
            Assert.Equal("1.5", store.Get("f"));
            Assert.Equal(["b"], store.Members("set"));
            Assert.Equal(["c=7", "f=v"], store.Entries("h"));
            Assert.Null(store.Get("gone"));
            Assert.Equal(6, store.Count);
        }
    }

    [Fact]
    public async Task EverySecond_SyncsASecondThatWrote_NotAnIdleOne()
    {
        await using var store = Open(KvDurability.EverySecond);
        var engine = (KvEngine)store;
        store.Set("k", "v");
        await TickAsync(engine);
        await Poll.UntilAsync(() => engine.DiskWriterCounts.Syncs == 1, "the second that wrote to be synced");

        // Seconds with nothing written: the writer wakes for each and syncs nothing (as Redis' appendfsync everysec).
        for (var second = 0; second < 5; second++)
        {
            await TickAsync(engine);
        }

        Assert.Equal(1, engine.DiskWriterCounts.Syncs);
        store.Set("k", "w");
        await TickAsync(engine);
        await Poll.UntilAsync(() => engine.DiskWriterCounts.Syncs == 2, "the next second that wrote to be synced");
        Assert.Equal("w", store.Get("k"));
    }

    [Fact]
    public async Task Save_SyncsWhatWasWritten_UnderAnyPolicy_AndLastSaveSaysWhen()
    {
        await using var store = Open(KvDurability.None);
        var engine = (KvEngine)store;
        var opened = _time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(opened, store.LastSaveUnixMs);

        store.Set("k", "v");
        _time.Advance(TimeSpan.FromSeconds(30));
        await store.SaveAsync();

        // Under "none" nothing else syncs: this sync is the SAVE's.
        Assert.Equal(1, engine.DiskWriterCounts.Syncs);
        Assert.Equal(opened + 30_000, store.LastSaveUnixMs);

        // Nothing written since: a SAVE has nothing to sync and answers at once; everything is on the disk as of now,
        // and LASTSAVE says so (a script that polls it after BGSAVE waits for it to move).
        _time.Advance(TimeSpan.FromSeconds(30));
        await store.SaveAsync();
        Assert.Equal(1, engine.DiskWriterCounts.Syncs);
        Assert.Equal(opened + 60_000, store.LastSaveUnixMs);
    }

    /// <summary>One second of the store's clock, and the disk writer done with what it woke for.</summary>
    private async Task TickAsync(KvEngine engine)
    {
        var rounds = engine.DiskWriterCounts.Rounds;
        _time.Advance(TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => engine.DiskWriterCounts.Rounds > rounds, "the disk writer to finish the second's round");
    }

    [Fact]
    public async Task Always_CommitCompletesOnlyOnceWritten()
    {
        await using var store = Open(KvDurability.Always);
        var commit = store.Execute(0, static (tx, _) =>
        {
            tx.SetString("k"u8, "v"u8, null, false);
            return 0;
        }, out _);
        await commit.WaitAsync();
        Assert.True(commit.IsCompleted);
        Assert.Equal(0, store.Stats.PendingDiskWrites);
    }

    [Fact]
    public async Task ReadOnlyTransaction_HasNothingToWaitFor()
    {
        await using var store = Open(KvDurability.Always);
        var commit = store.Execute(0, static (tx, _) => tx.TypeOf("k"u8), out var type);
        Assert.True(commit.IsCompleted);
        Assert.Equal(KvType.None, type);
    }

    /// <summary>
    /// Start-up reads one record per key, whatever the history: 100,000 overwrites of 10 keys restart reading as many
    /// records as 10 keys written once (plus the clock record).
    /// </summary>
    [Fact]
    public async Task Restart_ReadsOneRecordPerKey_NotTheHistory()
    {
        await using (var store = Open(KvDurability.None))
        {
            for (var i = 0; i < 100_000; i++)
            {
                store.Do(tx => tx.SetString(B($"key-{i % 10}"), B($"value-{i}"), null, false));
            }

            store.Set("doomed", "x");
            store.Do(tx => tx.Delete(B("doomed")));
        }

        await using (var store = Open(KvDurability.None))
        {
            Assert.Equal(13, store.Stats.RecordsLoaded); // 10 keys, and the clock, the change counter and the epoch
            Assert.Equal("value-99999", store.Get("key-9"));
            Assert.Equal(10, store.Count);
        }
    }
}
