using System.Runtime.InteropServices;

namespace Fornax.Functions.Native;

/// <summary>The C API's <c>wasmtime_instance_t</c>: which store, and the instance's index in it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeInstance
{
    public ulong StoreId;
    public nuint Index;
}

/// <summary>
/// The few Wasmtime C API calls the .NET binding does not wrap: <c>wasmtime_instance_pre_t</c> (wasmtime's
/// <c>InstancePre</c>, imports resolved once per module). Same native library the binding loads.
/// </summary>
internal static partial class WasmtimeNative
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
}
