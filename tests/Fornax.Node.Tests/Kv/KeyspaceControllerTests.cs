using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Fornax.Kv.Engine;
using Fornax.Node.Hosting;
using Fornax.Node.Kv;
using Fornax.Node.Locality;
using Fornax.Node.Sites;
using Fornax.Store;
using Fornax.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fornax.Node.Tests.Kv;

/// <summary>
/// The keyspace controller keeps <see cref="KeyspaceDirectory"/> equal to the site's <c>Keyspace</c> objects, also across
/// a watch that fell behind and listed again.
/// </summary>
public sealed class KeyspaceControllerTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fornax-test-").FullName;
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly IObjectStore _objects;
    private readonly HeldWatchStore _held;
    private readonly SiteKvStore _kv;

    public KeyspaceControllerTests()
    {
        _objects = ObjectStore.Open(new ObjectStoreOptions { DataDirectory = Path.Combine(_dataDirectory, "objects") });
        _held = new HeldWatchStore(_objects);
        var kvDirectory = Path.Combine(_dataDirectory, KvHostingExtensions.DirectoryName);
        _kv = new SiteKvStore(kvDirectory, KvDurability.None, () => KvStore.Open(new KvStoreOptions { DataDirectory = kvDirectory, SiteId = "e1", Durability = KvDurability.None }),
            () => [], new ForgottenKvStores(_dataDirectory), NullLogger<SiteKvStore>.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _kv.DisposeAsync();
        await _objects.DisposeAsync();
        await _metrics.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    /// <summary>
    /// Placed at another site, so this site's KV store stays closed: the directory names every keyspace at the site,
    /// placed here or not.
    /// </summary>
    private static JsonObject Keyspace(string name, string prefix) => JsonNode.Parse($$"""
        { "apiVersion": "fornax.io/v1", "kind": "Keyspace", "metadata": { "name": "{{name}}" }, "spec": { "prefix": "{{prefix}}", "placement": { "sites": ["elsewhere"] } } }
        """)!.AsObject();

    [Fact]
    public async Task AKeyspaceDeletedWhileTheWatchWasBehind_LeavesTheDirectoryWhenItListsAgain()
    {
        await _objects.CreateAsync(Keyspace("a", "a:"));
        await _objects.CreateAsync(Keyspace("b", "b:"));
        var site = new LocalSite(new NodeOptions { DataDirectory = _dataDirectory, Name = "e1" });
        var directory = new KeyspaceDirectory();
        using var metrics = new KvMetrics(_metrics.GetRequiredService<IMeterFactory>(), _kv, new KvFiguresTable(), site);
        using var controller = new KeyspaceController(_held, site, metrics, directory, new KeyspaceHoldings(_kv));
        string Seen() => string.Join(", ", directory.Prefixes().Order(StringComparer.Ordinal));

        await controller.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync(() => _held.Watches == 1 && Seen() == "a:, b:", "the controller to list a and b and watch", describe: Seen);

            // Neither reaches the held watch: the next list is the only way the controller learns of them.
            await _objects.DeleteAsync(new ObjectKey("Keyspace", "default", "a"));
            await _objects.CreateAsync(Keyspace("c", "c:"));
            _held.FallBehind();

            await Poll.UntilAsync(() => Seen() == "b:, c:", "the directory to name b and c, not the deleted a, after the list again", describe: Seen);
            Assert.Null(directory.Prefix("default", "a"));
            Assert.Equal("c:"u8.ToArray(), directory.Prefix("default", "c"));
        }
        finally
        {
            await controller.StopAsync(CancellationToken.None);
        }
    }
}
