using Fornax.Kv.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Engine;

/// <summary>The active-expiry sweep walks only the keys that carry an expiry, and still deletes every one that is due.</summary>
public sealed class ExpirySweepTests
{
    [Fact]
    public async Task Sweep_TracksOnlyKeysWithAnExpiry_AndDeletesMoreThanOneBatchOfDueKeys()
    {
        var (store, time) = InMemory();
        await using var _store = store;
        var engine = (KvEngine)store;
        var now = Start.ToUnixTimeMilliseconds();
        for (var i = 0; i < 1000; i++)
        {
            store.Set($"plain:{i}", "v");
        }

        // 600 keys due at +1 s (more than two sweep transactions' worth), one persisted, one due later.
        for (var i = 0; i < 600; i++)
        {
            store.Do(tx => tx.SetString(B($"due:{i}"), B("v"), now + 1000, false));
        }

        store.Do(tx => tx.SetString(B("kept"), B("v"), now + 1000, false));
        store.Do(tx => tx.SetExpiry(B("kept"), null));
        store.Do(tx => tx.SetString(B("later"), B("v"), now + 60_000, false));
        Assert.Equal(601, engine.ExpiringCount);

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, engine.ExpiringCount);
        Assert.Equal(1002, store.Count); // 1,000 plain keys, "kept", "later"
        Assert.Null(store.Get("due:599"));
        Assert.Equal("v", store.Get("kept"));
        Assert.Equal("v", store.Get("later"));
    }
}
