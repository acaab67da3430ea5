using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Kv.Tests.Storage;

namespace Fornax.Kv.Tests.Replication;

/// <summary>
/// A tree of durable sites for randomized runs: cloud with children a and b, c under a, d under b. The keyspace "cart:"
/// is placed at a, b, c and d (and at the cloud when it holds a replica, else it relays and keeps what it relays);
/// "pair:" at c and d only, so every site between them relays it. Links are cut and healed, sites closed and reopened
/// from their data directories, at will. The replication log can be bounded low, so peers that fall behind catch up by
/// digests, and the links can carry few frames at a time, so writes outrun them.
/// </summary>
internal sealed class ChaosTree : IAsyncDisposable
{
    public static readonly string[] Names = ["cloud", "a", "b", "c", "d"];

    /// <summary>The sites that write "cart:" keys.</summary>
    public static readonly string[] Edges = ["a", "b", "c", "d"];

    /// <summary>The sites that hold (and write) "pair:" keys.</summary>
    public static readonly string[] Pair = ["c", "d"];

    private static readonly Dictionary<string, string> Parents = new() { ["a"] = "cloud", ["b"] = "cloud", ["c"] = "a", ["d"] = "b" };

    private readonly Dictionary<string, TempDirectory> _dirs = [];
    private readonly Dictionary<string, IKvStore> _sites = [];
    private readonly Dictionary<string, TestLink?> _links = []; // by child; null while cut
    private readonly ChaosSettings _settings;
    private bool _cloudReplica;

    public ChaosTree(ChaosSettings settings)
    {
        _settings = settings;
        _cloudReplica = settings.CloudReplica;
        foreach (var name in Names)
        {
            _dirs[name] = new TempDirectory();
            _sites[name] = Open(name);
        }

        foreach (var child in Parents.Keys)
        {
            _links[child] = Link(child);
        }
    }

    /// <summary>Links by the child site that ends them (each site but the cloud has one, to its parent).</summary>
    public IEnumerable<string> Links => Parents.Keys;

    public IKvStore this[string site] => _sites[site];

    public bool IsCut(string child) => _links[child] is null;

    /// <summary>The cloud becomes a replica of "cart:", or stops being one (a placement change: it still relays).</summary>
    public bool ToggleCloudReplica()
    {
        _cloudReplica = !_cloudReplica;
        KvReplication.For(_sites["cloud"]).SetKeyspaces(_cloudReplica ? ["cart:"] : []);
        return _cloudReplica;
    }

    public async Task CutAsync(string child)
    {
        if (_links[child] is { } link)
        {
            _links[child] = null;
            await link.CutAsync();
        }
    }

    public void Heal(string child) => _links[child] ??= Link(child);

    /// <summary>Closes the site (its links cut first, as a stopped process drops them) and opens it again from its data
    /// directory; the links that were up come back up.</summary>
    public async Task RestartAsync(string site)
    {
        var attached = _links.Keys.Where(child => child == site || Parents[child] == site).ToList();
        var up = attached.Where(child => _links[child] is not null).ToList();
        foreach (var child in attached)
        {
            await CutAsync(child);
        }

        await _sites[site].DisposeAsync();
        _sites[site] = Open(site);
        foreach (var child in up)
        {
            Heal(child);
        }
    }

    public void HealAll()
    {
        foreach (var child in Parents.Keys)
        {
            Heal(child);
        }
    }

    private IKvStore Open(string name)
    {
        var store = KvStore.Open(new KvStoreOptions
        {
            DataDirectory = _dirs[name].Path,
            SiteId = name,
            ReplicationLogEntries = _settings.LogEntries,
            Durability = _settings.Durability,
            TimeProvider = new SkewedTime(TimeSpan.FromMilliseconds(_settings.SkewMs.GetValueOrDefault(name))),
        });
        string[] keyspaces = Pair.Contains(name) ? ["cart:", "pair:"] : name != "cloud" || _cloudReplica ? ["cart:"] : [];
        KvReplication.For(store).SetKeyspaces(keyspaces);

        return store;
    }

    private TestLink Link(string child) =>
        new(KvReplication.For(_sites[Parents[child]]), KvReplication.For(_sites[child]), _settings.LinkCapacity);

    public async ValueTask DisposeAsync()
    {
        foreach (var child in Parents.Keys)
        {
            await CutAsync(child);
        }

        foreach (var store in _sites.Values)
        {
            await store.DisposeAsync();
        }

        foreach (var dir in _dirs.Values)
        {
            dir.Dispose();
        }
    }
}

/// <summary>How a random run's tree is set up.</summary>
/// <param name="LogEntries">The replication log's bound (low: peers that fall behind catch up by digests).</param>
/// <param name="LinkCapacity">Frames a link holds unread before a send waits (null: never waits).</param>
/// <param name="CloudReplica">The cloud starts as a replica of "cart:" (else it only relays).</param>
/// <param name="Durability">Every site's durability.</param>
/// <param name="SkewMs">Per site, how far its wall clock is off (ms; absent: none).</param>
internal sealed record ChaosSettings(int LogEntries, int? LinkCapacity, bool CloudReplica, KvDurability Durability, Dictionary<string, int> SkewMs)
{
    public override string ToString() =>
        $"log {LogEntries}, link capacity {LinkCapacity?.ToString() ?? "unbounded"}, the cloud {(CloudReplica ? "a replica" : "a relay")}, " +
        $"durability {Durability}, clocks off by {string.Join(", ", SkewMs.Select(s => $"{s.Key} {s.Value} ms"))}";
}

/// <summary>The system's clock, off by a fixed amount (a site whose clock is wrong).</summary>
internal sealed class SkewedTime(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}
