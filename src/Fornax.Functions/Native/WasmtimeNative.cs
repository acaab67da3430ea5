using System.Runtime.InteropServices;

namespace Fornax.Functions.Native;

/// <summary>The C API's <c>wasmtime_instance_t</c>: which store, and the instance's index in it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeInstance
{
    public ulong StoreId;
    public nuint Index;
}

/// <summary>The C API's <c>wasmtime_func_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeFunc
{
    public ulong StoreId;
    public nint Private;
}

/// <summary>The C API's <c>wasmtime_memory_t</c>: <c>{ { u64 store_id; u32 __private1; }; u32 __private2; }</c>, 24 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal struct WasmMemory
{
    [FieldOffset(0)] public ulong StoreId;
    [FieldOffset(8)] public uint Private1;
    [FieldOffset(16)] public uint Private2;
}

/// <summary>The C API's <c>wasmtime_extern_t</c>: a kind byte, then a 24-byte union (only the parts used here).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct NativeExtern
{
    public const byte KindFunc = 0;
    public const byte KindMemory = 3;
    public const byte KindSharedMemory = 4;

    [FieldOffset(0)] public byte Kind;
    [FieldOffset(8)] public NativeFunc Func;
    [FieldOffset(8)] public WasmMemory Memory;
}

/// <summary>The C API's <c>wasmtime_val_raw_t</c>: a 16-byte union; i32 and i64 sit at its start, little-endian.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct NativeValue
{
    [FieldOffset(0)] public int I32;
    [FieldOffset(0)] public long I64;
}

/// <summary>The C API's <c>wasm_valtype_vec_t</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeValTypeVec
{
    public nuint Size;
    public nint Data;
}

/// <summary>
/// The Wasmtime C API calls the request path makes directly, rather than through the .NET binding: the binding builds
/// a <c>Store</c> object with three concurrent dictionaries, wrapper objects for every export and a delegate per host
/// call, about 3 KiB of garbage per request, which made the site run a gen0 GC every few hundred requests (each one
/// pausing every thread). Same native library the binding loads; compile, serialize and link-time checks still use the
/// binding. Signatures are those of the <c>wasmtime.h</c> shipped with the pinned package (Directory.Packages.props).
/// </summary>
internal static unsafe partial class WasmtimeNative
{
    // The binding imports "wasmtime" too, so both resolve to the one libwasmtime the package ships for this platform.
    private const string Library = "wasmtime";

    /// <summary>Resolves every import of <paramref name="module"/> against <paramref name="linker"/>; returns a <c>wasmtime_error_t*</c> or 0.</summary>
    [LibraryImport(Library)]
    internal static partial nint wasmtime_linker_instantiate_pre(nint linker, nint module, out nint instancePre);

    /// <summary>Instantiates into <paramref name="context"/>: an error, or a trap from a start function, or neither.</summary>
    [LibraryImport(Library)]
    internal static partial nint wasmtime_instance_pre_instantiate(nint instancePre, nint context, out NativeInstance instance, out nint trap);

    [LibraryImport(Library)]
    internal static partial void wasmtime_instance_pre_delete(nint instancePre);

    // Stores.
    [LibraryImport(Library)]
    internal static partial nint wasmtime_store_new(nint engine, nint data, nint finalizer);

    [LibraryImport(Library)]
    internal static partial nint wasmtime_store_context(nint store);

    [LibraryImport(Library)]
    internal static partial void wasmtime_store_delete(nint store);

    [LibraryImport(Library)]
    internal static partial void wasmtime_store_limiter(nint store, long memorySize, long tableElements, long instances, long tables, long memories);

    [LibraryImport(Library)]
    internal static partial void wasmtime_context_set_epoch_deadline(nint context, ulong ticksBeyondCurrent);

    [LibraryImport(Library)]
    internal static partial nint wasmtime_context_set_fuel(nint context, ulong fuel);

    /// <summary>Takes ownership of <paramref name="wasiConfig"/>.</summary>
    [LibraryImport(Library)]
    internal static partial nint wasmtime_context_set_wasi(nint context, nint wasiConfig);

    [LibraryImport(Library)]
    internal static partial nint wasi_config_new();

    [LibraryImport(Library)]
    internal static partial nint wasmtime_context_get_data(nint context);

    [LibraryImport(Library)]
    internal static partial void wasmtime_store_epoch_deadline_callback(
        nint store, delegate* unmanaged[Cdecl]<nint, nint, ulong*, byte*, nint> callback, nint data, nint finalizer);

    // Exports, calls, memory.
    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool wasmtime_instance_export_get(nint context, in NativeInstance instance, byte* name, nuint length, out NativeExtern item);

    [LibraryImport(Library)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool wasmtime_caller_export_get(nint caller, byte* name, nuint length, out NativeExtern item);

    [LibraryImport(Library)]
    internal static partial nint wasmtime_caller_context(nint caller);

    [LibraryImport(Library)]
    internal static partial void wasmtime_extern_delete(ref NativeExtern item);

    /// <summary>Calls <paramref name="func"/>: arguments in, results out of the same slots. Returns an error or 0; a trap comes back in <paramref name="trap"/>.</summary>
    [LibraryImport(Library)]
    internal static partial nint wasmtime_func_call_unchecked(nint context, in NativeFunc func, NativeValue* argumentsAndResults, nuint length, out nint trap);

    [LibraryImport(Library)]
    internal static partial byte* wasmtime_memory_data(nint context, in WasmMemory memory);

    [LibraryImport(Library)]
    internal static partial nuint wasmtime_memory_data_size(nint context, in WasmMemory memory);

    [LibraryImport(Library)]
    internal static partial nint wasmtime_trap_new(byte* message, nuint length);

    [LibraryImport(Library)]
    internal static partial nint wasmtime_error_new(byte* message);

    // Host functions.
    [LibraryImport(Library)]
    internal static partial void wasmtime_linker_allow_shadowing(nint linker, [MarshalAs(UnmanagedType.U1)] bool allow);

    [LibraryImport(Library)]
    internal static partial nint wasmtime_linker_define_func_unchecked(
        nint linker, byte* module, nuint moduleLength, byte* name, nuint nameLength, nint functype,
        delegate* unmanaged[Cdecl]<nint, nint, NativeValue*, nuint, nint> callback, nint data, nint finalizer);

    [LibraryImport(Library)]
    internal static partial nint wasm_valtype_new(byte kind);

    [LibraryImport(Library)]
    internal static partial void wasm_valtype_vec_new(out NativeValTypeVec vec, nuint size, nint* data);

    [LibraryImport(Library)]
    internal static partial void wasm_valtype_vec_new_empty(out NativeValTypeVec vec);

    /// <summary>Takes ownership of both vectors.</summary>
    [LibraryImport(Library)]
    internal static partial nint wasm_functype_new(ref NativeValTypeVec parameters, ref NativeValTypeVec results);

    [LibraryImport(Library)]
    internal static partial void wasm_functype_delete(nint functype);

    /// <summary>A trap with <paramref name="message"/>, owned by the caller (Wasmtime, when a host function returns it).</summary>
    internal static nint NewTrap(string message)
    {
        Span<byte> utf8 = stackalloc byte[Math.Min(1024, System.Text.Encoding.UTF8.GetMaxByteCount(message.Length))];
        int length = System.Text.Encoding.UTF8.GetBytes(message.AsSpan(0, Math.Min(message.Length, utf8.Length / 3)), utf8);
        fixed (byte* pointer = utf8) return wasmtime_trap_new(pointer, (nuint)length);
    }

    /// <summary>An error with <paramref name="message"/> (NUL-terminated for the C API), owned by the caller.</summary>
    internal static nint NewError(string message)
    {
        var utf8 = new byte[System.Text.Encoding.UTF8.GetByteCount(message) + 1];
        System.Text.Encoding.UTF8.GetBytes(message, utf8);
        fixed (byte* pointer = utf8) return wasmtime_error_new(pointer);
    }
}
