using Fornax.Testing;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Replication;

public sealed class DurableReplicationTests : TwoDurableSites
{
    private static IKvStore Open(string dir, string site, KvDurability durability) => OpenSite(dir, site, "cart:", durability);

    [Theory]
    [InlineData(KvDurability.Always)]
    [InlineData(KvDurability.EverySecond)]
    public async Task DurableStores_Replicate_AndAReplicaRestartedCatchesUp(KvDurability durability)
    {
        var a = Open(DirA.Path, "a", durability);
        await using var _aStore = a;
        var b = Open(DirB.Path, "b", durability);
        var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        a.Run(tx => tx.IncrementBy(B("cart:n"), 1));
        await Poll.UntilAsync(() => b.Get("cart:n") == "1", "b to get the increment");
        await link.CutAsync();
        await b.DisposeAsync();

        a.Run(tx => tx.IncrementBy(B("cart:n"), 1));
        b = Open(DirB.Path, "b", durability);
        await using var _bStore = b;
        Assert.Equal("1", b.Get("cart:n"));
        await using var again = new TestLink(KvReplication.For(a), KvReplication.For(b));
        b.Run(tx => tx.IncrementBy(B("cart:n"), 10));
        await Poll.UntilAsync(() => a.Get("cart:n") == "12" && b.Get("cart:n") == "12", "both to read 12", describe: () => $"a={a.Get("cart:n")} b={b.Get("cart:n")}");
    }

    [Fact]
    public async Task AKeyWrittenWithoutPause_ReachesTheReplica_WhileTheWritesGoOn()
    {
        var a = Open(DirA.Path, "a", KvDurability.EverySecond);
        await using var _aStore = a;
        var b = Open(DirB.Path, "b", KvDurability.EverySecond);
        await using var _bStore = b;
        await using var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            long written = 0;
            while (!stop.IsCancellationRequested)
            {
                a.Run(tx => tx.IncrementBy(B("cart:hot"), 1));
                written++;
            }

            return written;
        });
        try
        {
            // Its latest change is almost never on disk yet when a batch is cut: it must not wait for the writes to pause.
            await Poll.UntilAsync(() => b.Get("cart:hot") is not null, "b to read the key while a still writes it");
        }
        finally
        {
            await stop.CancelAsync();
        }

        var total = (await writer).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Poll.UntilAsync(() => b.Get("cart:hot") == total, $"b to read {total}", describe: () => $"b={b.Get("cart:hot")}");
    }
}
