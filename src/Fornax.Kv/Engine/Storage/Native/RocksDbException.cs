using System.Runtime.InteropServices;

namespace Fornax.Kv.Engine.Native;

/// <summary>A RocksDB call failed; the message is RocksDB's own (e.g. "IO error: No space left on device").</summary>
internal sealed class RocksDbException(string message) : IOException(message)
{
    /// <summary>Throws when a call set its <c>errptr</c>, after freeing the native message.</summary>
    public static void ThrowIfError(nint error)
    {
        if (error != 0)
        {
            var message = Marshal.PtrToStringUTF8(error) ?? "unknown RocksDB error";
            RocksDbNative.rocksdb_free(error);
            throw new RocksDbException(message);
        }
    }
}
