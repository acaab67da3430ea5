using Microsoft.Win32.SafeHandles;

namespace Fornax.Kv.Engine.Native;

// One SafeHandle per RocksDB C type: each native object is destroyed exactly once, by its own destroy function, even
// when an exception or a finalizer gets there first; a handle in use by a call is not released under it.

internal sealed class DbHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_close(handle);
        return true;
    }
}

internal sealed class OptionsHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_options_destroy(handle);
        return true;
    }
}

internal sealed class WriteOptionsHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_writeoptions_destroy(handle);
        return true;
    }
}

internal sealed class FlushOptionsHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_flushoptions_destroy(handle);
        return true;
    }
}

internal sealed class ReadOptionsHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_readoptions_destroy(handle);
        return true;
    }
}

internal sealed class WriteBatchHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_writebatch_destroy(handle);
        return true;
    }
}

internal sealed class IteratorHandle() : SafeHandleZeroOrMinusOneIsInvalid(ownsHandle: true)
{
    protected override bool ReleaseHandle()
    {
        RocksDbNative.rocksdb_iter_destroy(handle);
        return true;
    }
}
