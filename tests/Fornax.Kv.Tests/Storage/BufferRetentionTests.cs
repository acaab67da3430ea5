using System.Text;
using Fornax.Kv.Engine;
using Fornax.Kv.Replication;
using static Fornax.Kv.Tests.Engine.StoreFixture;

namespace Fornax.Kv.Tests.Storage;

/// <summary>
/// One big value grows the long-lived encoding buffers (the shared replication batch, the disk writer's group) to its
/// size; the next use lets that memory go instead of holding it for the life of the process.
/// </summary>
public sealed class BufferRetentionTests : IDisposable
{
    private const int BigValueBytes = 20 << 20;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ABatchCarryingABigString_LeavesItsBuffersSmallAtTheNextBatch_AndTheNextBatchIsWhole()
    {
        await using var store = Replicating("a", "big:");
        store.Do(tx => tx.SetString(B("big:value"), new byte[BigValueBytes], null, false));
        store.Set("big:small", "after");
        var engine = (KvEngine)store;
        var writer = new BatchWriter();

        writer.Reset();
        Assert.True(writer.Append(engine.Export(B("big:value"))!));
        Assert.True(writer.RetainedBytes > BigValueBytes, $"{writer.RetainedBytes} bytes after the big value");
        writer.ToFrame(1);
        writer.Reset();
        Assert.True(writer.Append(engine.Export(B("big:small"))!));
        var frame = writer.ToFrame(2);

        Assert.True(writer.RetainedBytes < 1 << 20, $"{writer.RetainedBytes} bytes held after the next batch");
        var state = Assert.Single(Frames.DecodeBatch(frame).States);
        Assert.Equal("after", Encoding.UTF8.GetString(state.Str.WinningRegister!));
    }

    [Fact]
    public async Task TheDiskWriter_AfterABigString_HoldsASmallBufferOnceItWritesAgain()
    {
        await using var store = KvStore.Open(new KvStoreOptions { DataDirectory = _dir.Path, SiteId = "a", Durability = KvDurability.Always });
        var engine = (KvEngine)store;
        await store.Execute(0, static (tx, _) =>
        {
            tx.SetString("big"u8, new byte[BigValueBytes], null, false);
            return 0;
        }, out _).WaitAsync();
        Assert.True(engine.DiskBufferBytes > BigValueBytes, $"{engine.DiskBufferBytes} bytes after the big value");

        await store.Execute(0, static (tx, _) =>
        {
            tx.SetString("small"u8, "after"u8, null, false);
            return 0;
        }, out _).WaitAsync();

        Assert.True(engine.DiskBufferBytes < 1 << 20, $"{engine.DiskBufferBytes} bytes held after the next write");
        Assert.Equal(BigValueBytes, store.Run(tx => tx.TryGetString(B("big"), out var value) ? value.Length : -1));
    }
}
