using static Fornax.Kv.Engine.Native.RocksDbNative;

namespace Fornax.Kv.Engine.Native;

/// <summary>The options the store opens its database with (RocksDB's defaults otherwise).</summary>
internal sealed record RocksDbOptions(ulong WriteBufferSize, ulong MaxTotalWalSize, ulong KeepLogFileNum);

/// <summary>
/// One open RocksDB database: the few operations the KV store needs (open, open read-only, write a batch, flush,
/// iterate everything at start-up). Not thread-safe beyond what RocksDB itself allows; the store calls it from its
/// writer thread, and at start-up and disposal.
/// </summary>
internal sealed class RocksDatabase : IDisposable
{
    private readonly DbHandle _db;

    private RocksDatabase(DbHandle db) => _db = db;

    public static RocksDatabase Open(string directory, RocksDbOptions options) => Open(directory, options, readOnly: false);

    /// <summary>Opens without writing anything (no new MANIFEST or log): what a full disk still allows.</summary>
    public static RocksDatabase OpenReadOnly(string directory, RocksDbOptions options) => Open(directory, options, readOnly: true);

    private static RocksDatabase Open(string directory, RocksDbOptions options, bool readOnly)
    {
        using var native = rocksdb_options_create();
        rocksdb_options_set_create_if_missing(native, 1);
        rocksdb_options_set_write_buffer_size(native, checked((nuint)options.WriteBufferSize));
        rocksdb_options_set_max_total_wal_size(native, options.MaxTotalWalSize);
        rocksdb_options_set_keep_log_file_num(native, checked((nuint)options.KeepLogFileNum));
        // The store reads its database once, at start-up, with one iterator over everything; while it runs it only
        // writes. A vector memtable appends each write (a skip list, the default, searches its place: at 100k keys a
        // tenth of a site's CPU under SET load) and sorts once, when it is flushed or iterated. It needs writes to the
        // memtable from one thread at a time, which is how the store writes (its disk writer thread).
        rocksdb_options_set_memtable_vector_rep(native);
        rocksdb_options_set_allow_concurrent_memtable_write(native, 0);
        nint error;
        var db = readOnly
            ? rocksdb_open_for_read_only(native, directory, errorIfWalFileExists: 0, out error)
            : rocksdb_open(native, directory, out error);
        if (error != 0 || db.IsInvalid)
        {
            db.Dispose();
            RocksDbException.ThrowIfError(error);
            throw new RocksDbException($"RocksDB returned no database for {directory}");
        }

        return new RocksDatabase(db);
    }

    public void Write(RocksWriteBatch batch, WriteOptionsHandle options)
    {
        rocksdb_write(_db, options, batch.Handle, out var error);
        RocksDbException.ThrowIfError(error);
    }

    /// <summary>Writes the memtable to a table file and waits for it: a clean close leaves no log to replay.</summary>
    public void Flush()
    {
        using var options = rocksdb_flushoptions_create();
        rocksdb_flushoptions_set_wait(options, 1);
        rocksdb_flush(_db, options, out var error);
        RocksDbException.ThrowIfError(error);
    }

    public RocksIterator NewIterator() => new(_db);

    public static WriteOptionsHandle NewWriteOptions(bool sync)
    {
        var options = rocksdb_writeoptions_create();
        rocksdb_writeoptions_set_sync(options, sync ? (byte)1 : (byte)0);
        return options;
    }

    public void Dispose() => _db.Dispose();
}
