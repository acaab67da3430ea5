using Fornax.Hierarchy.Links;
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

    public TestParentSite(int? siteRefreshHeartbeats = null)
    {
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
        var downlinks = new Downlinks(store, self, _options, NullLogger.Instance, ForgottenChildren.Open(_data.FullName), KnownChildren.Open(_data.FullName));
        return (store, downlinks);
    }

    public async ValueTask DisposeAsync()
    {
        Downlinks.Dispose();
        await Store.DisposeAsync();
        _data.Delete(recursive: true);
    }
}
