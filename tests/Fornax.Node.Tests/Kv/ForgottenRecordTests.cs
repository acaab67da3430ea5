using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using Fornax.Node.Kv;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fornax.Node.Tests.Kv;

/// <summary>
/// The parent refused this site's store (the tree forgot the site): its epoch goes to <c>DATA/kv-forgotten-epochs</c>
/// before the refusal shows. When that record cannot be written, the refusal says so and tells the operator to keep the
/// kv folder; the next refusal tries again.
/// </summary>
public sealed class ForgottenRecordTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fornax-test-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Fact]
    public async Task RefusedByParent_RecordsTheStoresEpoch_BeforeTheRefusalShows()
    {
        await using var site = Open(out var record);

        site.RefusedByParent("site a/e1 was forgotten");

        Assert.Equal("site a/e1 was forgotten", site.UplinkRefusal);
        Assert.Equal([KvReplication.For(site.OpenedOrNull!).Epoch], new ForgottenKvStores(_dataDirectory).Read());
        Assert.True(File.Exists(record.Path));
    }

    [Fact]
    public async Task RefusedByParent_RecordNotWritable_TheRefusalSaysSoAndToKeepTheFolder_TheNextRefusalRecordsIt()
    {
        await using var site = Open(out var record);
        // Something in the record's place that no write can replace (as root, a read-only file would not do).
        Directory.CreateDirectory(record.Path);

        site.RefusedByParent("site a/e1 was forgotten");

        var refusal = site.UplinkRefusal!;
        Assert.StartsWith($"site a/e1 was forgotten (but {record.Path} could not record this store as forgotten: ", refusal, StringComparison.Ordinal);
        Assert.EndsWith("; keep the kv folder until it can)", refusal, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(record.Path)); // nothing half-written left in its place

        Directory.Delete(record.Path);
        site.RefusedByParent("site a/e1 was forgotten");

        Assert.Equal("site a/e1 was forgotten", site.UplinkRefusal);
        Assert.Equal([KvReplication.For(site.OpenedOrNull!).Epoch], record.Read());
        Assert.Empty(Directory.EnumerateFiles(_dataDirectory, ".kv-forgotten-epochs.*")); // no temporary file left behind
    }

    [Fact]
    public async Task RefusedByParent_Again_RecordsTheEpochOnce()
    {
        await using var site = Open(out var record);

        site.RefusedByParent("forgotten");
        site.RefusedByParent("forgotten");

        Assert.Single(record.Read());
    }

    /// <summary>The site's store, opened, with its record of forgotten stores in the test's data folder.</summary>
    private SiteKvStore Open(out ForgottenKvStores record)
    {
        var forgotten = new ForgottenKvStores(_dataDirectory);
        var options = new KvStoreOptions { DataDirectory = Path.Combine(_dataDirectory, "kv"), SiteId = "e1", Durability = KvDurability.None };
        var site = new SiteKvStore(options.DataDirectory, options.Durability, () => KvStore.Open(options with { ForgottenEpochs = forgotten.Read() }),
            () => [], forgotten, NullLogger<SiteKvStore>.Instance);
        site.Open();
        record = forgotten;
        return site;
    }
}
