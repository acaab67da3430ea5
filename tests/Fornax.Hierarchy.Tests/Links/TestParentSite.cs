using Fornax.Hierarchy.Links;
using Fornax.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Fornax.Hierarchy.Tests.Links;

/// <summary>
/// The parent site <c>a</c> as its links see it, for tests that drive <see cref="Links.Downlinks"/> by hand: a real
/// SQLite store in a temporary directory (its forgotten children in <c>links/forgotten.json</c> there), fake time, a 5 s
/// heartbeat and 3 missed heartbeats to offline.
/// </summary>
internal sealed class TestParentSite : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("fornax-downlinks-");

    public TestParentSite(int? siteRefreshHeartbeats = null)
    {
        Store = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = _data.FullName, TimeProvider = Time });
        var options = new LinkOptions { HeartbeatInterval = Interval, MissedHeartbeats = 3, TimeProvider = Time };
        if (siteRefreshHeartbeats is int refresh) options = options with { SiteRefreshHeartbeats = refresh };
        Downlinks = new Downlinks(Store, new LinkSiteInfo("a", "a", "cloud", new Dictionary<string, string>()), options, NullLogger.Instance, ForgottenChildren.Open(_data.FullName));
    }

    public string DataDirectory => _data.FullName;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public IObjectStore Store { get; }

    public Downlinks Downlinks { get; }

    public async ValueTask DisposeAsync()
    {
        Downlinks.Dispose();
        await Store.DisposeAsync();
        _data.Delete(recursive: true);
    }
}
