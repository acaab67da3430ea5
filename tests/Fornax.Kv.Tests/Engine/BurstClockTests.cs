using Fornax.Kv.Engine;
using Fornax.Kv.Engine.Crdt;
using Microsoft.Extensions.Time.Testing;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Engine;

/// <summary>
/// The clock of a pipelined burst: its transactions share one reading of the wall clock, taken when the hold begins;
/// the hybrid logical clock still hands each write a timestamp larger than any before.
/// </summary>
public sealed class BurstClockTests
{
    [Fact]
    public async Task Burst_ReadsTheClockOnce_AndTransactionsAfterItReadItAgain()
    {
        var time = new CountingTime();
        await using var store = KvStore.Open(new KvStoreOptions { SiteId = "clock", TimeProvider = time, Random = new Random(1) });
        var reads = time.Reads;
        using (store.HoldForBurst())
        {
            for (var i = 0; i < 64; i++)
            {
                store.Set($"k{i}", "v");
                store.Do(tx => tx.IncrementBy(B("n"), 1));
            }
        }

        Assert.Equal(1, time.Reads - reads);

        // After the burst a transaction reads the clock anew: an expiry between the burst's time and now is already past.
        var burstTime = time.GetUtcNow().ToUnixTimeMilliseconds();
        time.Advance(TimeSpan.FromSeconds(10));
        store.Do(tx => tx.SetString(B("late"), B("v"), burstTime + 5_000, keepExpiry: false));
        Assert.Null(store.Get("late"));
        Assert.Equal("64", store.Get("n"));
    }

    [Fact]
    public void HybridClock_StaysIncreasing_WhenThePhysicalTimeStallsOrStepsBack()
    {
        var clock = new HybridLogicalClock();
        long[] stamps = [clock.Next(1_000), clock.Next(1_000), clock.Next(999), clock.Next(1_000), clock.Next(2_000), clock.Next(1_500)];

        for (var i = 1; i < stamps.Length; i++)
        {
            Assert.True(stamps[i] > stamps[i - 1], $"stamp {i} ({stamps[i]}) is not after stamp {i - 1} ({stamps[i - 1]})");
        }

        Assert.Equal(HybridLogicalClock.FromUnixMs(2_000), stamps[4]); // a later physical time is taken as it is
        Assert.Equal(1_000, HybridLogicalClock.ToUnixMs(stamps[3]));
    }

    /// <summary>A fake clock that counts how often it is read.</summary>
    private sealed class CountingTime() : FakeTimeProvider(StoreFixture.Start)
    {
        public int Reads { get; private set; }

        public override DateTimeOffset GetUtcNow()
        {
            Reads++;
            return base.GetUtcNow();
        }
    }
}
