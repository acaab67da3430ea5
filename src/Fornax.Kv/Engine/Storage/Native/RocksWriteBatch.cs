using static Fornax.Kv.Engine.Native.RocksDbNative;

namespace Fornax.Kv.Engine.Native;

/// <summary>A RocksDB write batch: applied atomically by <see cref="RocksDatabase.Write"/>. Reusable after <see cref="Clear"/>.</summary>
internal sealed class RocksWriteBatch : IDisposable
{
    public WriteBatchHandle Handle { get; } = rocksdb_writebatch_create();

    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        rocksdb_writebatch_put(Handle, key, (nuint)key.Length, value, (nuint)value.Length);

    public void Delete(ReadOnlySpan<byte> key) => rocksdb_writebatch_delete(Handle, key, (nuint)key.Length);

    /// <summary>Deletes every key in [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public void DeleteRange(ReadOnlySpan<byte> start, ReadOnlySpan<byte> end) =>
        rocksdb_writebatch_delete_range(Handle, start, (nuint)start.Length, end, (nuint)end.Length);

    public void Clear() => rocksdb_writebatch_clear(Handle);

    public void Dispose() => Handle.Dispose();
}
