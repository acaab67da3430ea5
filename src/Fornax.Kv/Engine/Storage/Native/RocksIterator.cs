using static Fornax.Kv.Engine.Native.RocksDbNative;

namespace Fornax.Kv.Engine.Native;

/// <summary>
/// Walks the database in key order. <see cref="Key"/> and <see cref="Value"/> are views of RocksDB's memory, valid until
/// the iterator moves: copy what outlives the step. Holds a reference on the database so it is destroyed first.
/// </summary>
internal sealed unsafe class RocksIterator : IDisposable
{
    private readonly DbHandle _db;
    private readonly ReadOptionsHandle _options;
    private readonly IteratorHandle _iterator;
    private bool _disposed;

    public RocksIterator(DbHandle db)
    {
        var added = false;
        db.DangerousAddRef(ref added);
        _db = db;
        _options = rocksdb_readoptions_create();
        _iterator = rocksdb_create_iterator(db, _options);
    }

    public void SeekToFirst() => rocksdb_iter_seek_to_first(_iterator);

    /// <summary>False at the end, or after an error (<see cref="ThrowIfFailed"/> tells which).</summary>
    public bool Valid() => rocksdb_iter_valid(_iterator) != 0;

    public void Next() => rocksdb_iter_next(_iterator);

    public ReadOnlySpan<byte> Key()
    {
        var pointer = rocksdb_iter_key(_iterator, out var length);
        return new ReadOnlySpan<byte>((void*)pointer, checked((int)length));
    }

    public ReadOnlySpan<byte> Value()
    {
        var pointer = rocksdb_iter_value(_iterator, out var length);
        return new ReadOnlySpan<byte>((void*)pointer, checked((int)length));
    }

    /// <summary>An iteration that stopped on a read error (a corrupt table file) must not pass for the end of the data.</summary>
    public void ThrowIfFailed()
    {
        rocksdb_iter_get_error(_iterator, out var error);
        RocksDbException.ThrowIfError(error);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _iterator.Dispose();
        _options.Dispose();
        _db.DangerousRelease();
    }
}
