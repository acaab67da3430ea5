using System.Text.Json.Nodes;
using Fornax.Core.Objects;
using Fornax.Hierarchy.Links;
using Fornax.Hierarchy.Links.Protocol;
using Fornax.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// The parent site <c>a</c> as its links see it, for tests that drive <see cref="Links.Downlinks"/> by hand: a real
/// SQLite store in a temporary directory (its forgotten and known children in <c>links/forgotten.json</c> and
/// <c>links/children.json</c> there), fake time, a 5 s heartbeat and 3 missed heartbeats to offline.
/// </summary>
internal sealed class TestParentSite : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fornax-downlinks-");

    private readonly LinkOptions _options;

    private readonly Func<IObjectStore, IObjectStore> _storeSeenByLinks;

    private readonly bool _withIndex;

    /// <summary>The spec-change index the links were given, or null.</summary>
    public MissionIndex? Index { get; private set; }

    /// <param name="siteRefreshHeartbeats">Overrides <see cref="LinkOptions.SiteRefreshHeartbeats"/>.</param>
    /// <param name="storeSeenByLinks">Wraps the store the links write through (to inject a failure); <see cref="Store"/> stays the real one.</param>
    /// <param name="withIndex">Gives the links a spec-change index (<see cref="Index"/>, not running until a test runs it).</param>
    public TestParentSite(int? siteRefreshHeartbeats = null, Func<IObjectStore, IObjectStore>? storeSeenByLinks = null, bool withIndex = false)
    {
        _withIndex = withIndex;
        _storeSeenByLinks = storeSeenByLinks ?? (store => store);
        _options = new LinkOptions { HeartbeatInterval = Interval, MissedHeartbeats = 3, TimeProvider = Time };
        if (siteRefreshHeartbeats is int refresh) _options = _options with { SiteRefreshHeartbeats = refresh };
        (Store, Downlinks) = Open();
    }

    public string DataDirectory => _data.FullName;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public IObjectStore Store { get; private set; }

    public Downlinks Downlinks { get; private set; }

    /// <summary>
    /// Stops the site's links and store and opens them again on the same data directory, as a restart of the process
    /// would: what the links kept in memory is gone, the store and <c>DATA/links/</c> stay.
    /// </summary>
    public async Task RestartAsync()
    {
        Downlinks.Dispose();
        await Store.DisposeAsync();
        (Store, Downlinks) = Open();
    }

    private (IObjectStore, Downlinks) Open()
    {
        var store = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = _data.FullName, TimeProvider = Time });
        var self = new LinkSiteInfo("a", "a", "cloud", new Dictionary<string, string>());
        Index = _withIndex ? new MissionIndex(store, _data.FullName) : null;
        var downlinks = new Downlinks(_storeSeenByLinks(store), self, _options, NullLogger.Instance, ForgottenChildren.Open(_data.FullName), KnownChildren.Open(_data.FullName), Index);
        return (store, downlinks);
    }

    /// <summary>The key of the <c>Site</c> object <paramref name="name"/>.</summary>
    public static ObjectKey Site(string name) => new("Site", "default", name);

    /// <summary>An empty mission <paramref name="name"/> in the default namespace.</summary>
    public static JsonObject MissionJson(string name = "m") =>
        JsonNode.Parse($$$"""{"apiVersion": "fornax.io/v1", "kind": "Mission", "metadata": {"name": "{{{name}}}"}, "spec": {}}""")!.AsObject();

    /// <summary>A child's report for mission <c>default/m</c>, generation 1: each path with its state.</summary>
    public static MissionStateReport Report(params (string Path, string State)[] states)
    {
        var report = new MissionStateReport { Namespace = "default", Name = "m", Generation = 1, Seq = 1 };
        foreach (var (path, state) in states)
        {
            report.States[path] = state;
        }

        return report;
    }

    /// <summary>A heartbeat of the region a/<paramref name="child"/>, now, with the edge sites <paramref name="below"/> under it.</summary>
    public Heartbeat Beat(string child, params string[] below)
    {
        var beat = new Heartbeat { Sequence = 1, Healthy = true };
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        beat.Subtree.Add(new SiteSummary { Name = child, Path = $"a/{child}", Parent = "a", Tier = "region", Healthy = true, LastHeartbeatUnixMs = now, Children = { below } });
        foreach (var name in below)
        {
            beat.Subtree.Add(new SiteSummary { Name = name, Path = $"a/{child}/{name}", Parent = child, Tier = "edge", Healthy = true, LastHeartbeatUnixMs = now });
        }

        return beat;
    }

    public async ValueTask DisposeAsync()
    {
        Downlinks.Dispose();
        await Store.DisposeAsync();
        _data.Delete(recursive: true);
    }
}
