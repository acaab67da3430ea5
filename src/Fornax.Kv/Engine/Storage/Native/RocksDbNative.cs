using System.Runtime.InteropServices;

namespace Fornax.Kv.Engine.Native;

/// <summary>
/// The RocksDB C API functions the store calls (<c>rocksdb/c.h</c> of the native library the pinned <c>RocksDB</c>
/// package ships). Source-generated marshalling: nothing is bound at run time, so the store runs under Native AOT, and
/// start-up compiles no marshalling stubs (the package's own binding builds its import class with Reflection.Emit).
/// Every <c>char** errptr</c> is an <c>out nint</c>: null, or a message the caller frees (<see cref="RocksDbException.ThrowIfError"/>).
/// </summary>
internal static partial class RocksDbNative
{
    // "rocksdb" resolves to librocksdb.so (Linux), librocksdb.dylib, rocksdb.dll: the package's native asset for the RID.
    private const string Library = "rocksdb";

    [LibraryImport(Library)]
    internal static partial void rocksdb_free(nint pointer);

    // Database.
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DbHandle rocksdb_open(OptionsHandle options, string name, out nint error);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial DbHandle rocksdb_open_for_read_only(OptionsHandle options, string name, byte errorIfWalFileExists, out nint error);

    [LibraryImport(Library)]
    internal static partial void rocksdb_close(nint db);

    [LibraryImport(Library)]
    internal static partial void rocksdb_write(DbHandle db, WriteOptionsHandle options, WriteBatchHandle batch, out nint error);

    [LibraryImport(Library)]
    internal static partial void rocksdb_flush(DbHandle db, FlushOptionsHandle options, out nint error);

    // Options (size_t arguments are nuint).
    [LibraryImport(Library)]
    internal static partial OptionsHandle rocksdb_options_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_destroy(nint options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_create_if_missing(OptionsHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_write_buffer_size(OptionsHandle options, nuint bytes);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_max_total_wal_size(OptionsHandle options, ulong bytes);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_keep_log_file_num(OptionsHandle options, nuint count);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_memtable_vector_rep(OptionsHandle options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_options_set_allow_concurrent_memtable_write(OptionsHandle options, byte value);

    [LibraryImport(Library)]
    internal static partial WriteOptionsHandle rocksdb_writeoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_writeoptions_destroy(nint options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writeoptions_set_sync(WriteOptionsHandle options, byte sync);

    [LibraryImport(Library)]
    internal static partial FlushOptionsHandle rocksdb_flushoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_flushoptions_destroy(nint options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_flushoptions_set_wait(FlushOptionsHandle options, byte wait);

    [LibraryImport(Library)]
    internal static partial ReadOptionsHandle rocksdb_readoptions_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_readoptions_destroy(nint options);

    // Write batches: the native side copies keys and values, so spans are pinned for the call only.
    [LibraryImport(Library)]
    internal static partial WriteBatchHandle rocksdb_writebatch_create();

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_destroy(nint batch);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_clear(WriteBatchHandle batch);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_put(WriteBatchHandle batch, ReadOnlySpan<byte> key, nuint keyLength, ReadOnlySpan<byte> value, nuint valueLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_delete(WriteBatchHandle batch, ReadOnlySpan<byte> key, nuint keyLength);

    [LibraryImport(Library)]
    internal static partial void rocksdb_writebatch_delete_range(WriteBatchHandle batch, ReadOnlySpan<byte> startKey, nuint startLength, ReadOnlySpan<byte> endKey, nuint endLength);

    // Iterators: key and value point into the iterator's memory, valid until it moves.
    [LibraryImport(Library)]
    internal static partial IteratorHandle rocksdb_create_iterator(DbHandle db, ReadOptionsHandle options);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_destroy(nint iterator);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_seek_to_first(IteratorHandle iterator);

    [LibraryImport(Library)]
    internal static partial byte rocksdb_iter_valid(IteratorHandle iterator);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_next(IteratorHandle iterator);

    [LibraryImport(Library)]
    internal static partial nint rocksdb_iter_key(IteratorHandle iterator, out nuint length);

    [LibraryImport(Library)]
    internal static partial nint rocksdb_iter_value(IteratorHandle iterator, out nuint length);

    [LibraryImport(Library)]
    internal static partial void rocksdb_iter_get_error(IteratorHandle iterator, out nint error);
}
