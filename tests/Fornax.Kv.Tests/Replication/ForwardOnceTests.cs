using Fornax.Testing;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Engine;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// cloud → regions r1, r2 → edges e1, e2 under r1 and e3, e4 under r2; "cart:" placed at the four edges (the cloud and
/// the regions relay). A write at one edge crosses each link once, in one direction.
/// </summary>
public sealed class ForwardOnceTests : IAsyncLifetime
{
    private static readonly (string Parent, string Child)[] Edges =
        [("cloud", "r1"), ("cloud", "r2"), ("r1", "e1"), ("r1", "e2"), ("r2", "e3"), ("r2", "e4")];

    private readonly Dictionary<string, IKvStore> _sites = [];
    private readonly List<TestLink> _links = [];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "cloud", "r1", "r2", "e1", "e2", "e3", "e4" })
        {
            _sites[name] = KvStore.Open(new KvStoreOptions { SiteId = name, Random = new Random(name.Length) });
            KvReplication.For(_sites[name]).SetKeyspaces(name.StartsWith('e') ? ["cart:"] : []);
        }

        foreach (var (parent, child) in Edges)
        {
            _links.Add(new TestLink(KvReplication.For(_sites[parent]), KvReplication.For(_sites[child])));
        }

        // Settled: every link's catch-up is over and the interests are known (a first key reaches every edge).
        _sites["e1"].Set("cart:warm", "w");
        await Poll.UntilAsync(() => _sites.Values.All(s => s.Get("cart:warm") == "w") && Idle(), "the tree to settle");
    }

    private bool Idle() => _sites.Values.All(s => s.Stats.Peers.All(p => p.PendingKeys == 0));

    private long KeysSent(string from, string to) => _sites[from].Stats.Peers.Single(p => p.Site == to).KeysSent;

    public async Task DisposeAsync()
    {
        foreach (var link in _links)
        {
            await link.DisposeAsync();
        }

        foreach (var store in _sites.Values)
        {
            await store.DisposeAsync();
        }
    }

    [Fact]
    public async Task WriteAtOneEdge_CrossesEachLinkOnce()
    {
        var before = Edges.SelectMany(e => new[] { (e.Parent, e.Child), (e.Child, e.Parent) }).ToDictionary(l => l, l => KeysSent(l.Item1, l.Item2));
        _sites["e1"].Set("cart:once", "x");
        await Poll.UntilAsync(() => new[] { "e2", "e3", "e4" }.All(e => _sites[e].Get("cart:once") == "x") && Idle(), "cart:once to reach every edge");

        var crossed = before.Keys.ToDictionary(l => $"{l.Item1}->{l.Item2}", l => KeysSent(l.Item1, l.Item2) - before[l]);
        var expected = new[] { "e1->r1", "r1->e2", "r1->cloud", "cloud->r2", "r2->e3", "r2->e4" };
        Assert.All(crossed, c => Assert.Equal(expected.Contains(c.Key) ? 1 : 0, c.Value));
    }
}
