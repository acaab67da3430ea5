using Fornax.Testing;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;

namespace Fornax.Kv.Tests.Replication;

/// <summary>What each neighbour acknowledged is on disk: after a restart of either side, or both, a link resumes there.</summary>
public sealed class ResumeAfterRestartTests : TwoDurableSites
{
    private const int Keys = 5_000;

    private static IKvStore Open(string dir, string site) => OpenSite(dir, site, "cart:");

    private static KvPeerStats Towards(IKvStore store, string peer) => store.Stats.Peers.Single(p => p.Site == peer);

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Restart_ResumesFromWhatWasAcknowledged_NotAFullCopy(bool restartSender, bool restartReceiver)
    {
        var a = Open(DirA.Path, "a");
        var b = Open(DirB.Path, "b");
        var link = new TestLink(KvReplication.For(a), KvReplication.For(b));
        for (var i = 0; i < Keys; i++)
        {
            a.Set($"cart:{i}", $"v{i}");
        }

        await Poll.UntilAsync(() => b.Count == Keys && Towards(a, "b").PendingKeys == 0, "b to hold every key");
        await link.DisposeAsync();
        if (restartSender)
        {
            await a.DisposeAsync();
            a = Open(DirA.Path, "a");
        }

        if (restartReceiver)
        {
            await b.DisposeAsync();
            b = Open(DirB.Path, "b");
        }

        await using var _aStore = a;
        await using var _bStore = b;
        var sentBefore = restartSender ? 0 : Towards(a, "b").KeysSent;
        for (var i = 0; i < 10; i++)
        {
            a.Set($"cart:new-{i}", "n");
        }

        await using var again = new TestLink(KvReplication.For(a), KvReplication.For(b));
        await Poll.UntilAsync(() => b.Count == Keys + 10 && Towards(a, "b").PendingKeys == 0, "b to hold the new keys", describe: () => $"{b.Count} keys");
        Assert.Equal(10, Towards(a, "b").KeysSent - sentBefore);
        Assert.Equal(0, Towards(b, "a").KeysSent);
        Assert.Equal("v4321", b.Get("cart:4321"));
    }
}
