using System.Runtime.InteropServices;
using System.Text;
using Fornax.Functions.Native;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Defines a host function on the runtime's linker through the C API, as a static unmanaged entry point. Why not the
/// binding's <c>Linker.DefineFunction</c>: it calls back through a marshalled delegate and builds a <c>Caller</c> and a
/// result array per call, and needs the binding's own <c>Store</c> as the store's data, which the request path no
/// longer creates (see <see cref="WasmtimeNative"/>). An entry point receives Wasmtime's raw argument slots, writes its
/// one i32 result into slot 0, and must never let an exception escape into Wasmtime: a failure becomes a trap.
/// </summary>
internal static unsafe class HostCall
{
    public const byte I32 = 0;
    public const byte I64 = 1;

    /// <summary>Shadows any earlier definition of <paramref name="name"/> in <see cref="Preview1.Module"/> (Wasmtime's WASI).</summary>
    public static void Define(nint linker, string name, ReadOnlySpan<byte> parameters, bool returnsI32,
        delegate* unmanaged[Cdecl]<nint, nint, NativeValue*, nuint, nint> callback) =>
        Define(linker, Preview1.Module, name, parameters, returnsI32, callback);

    /// <summary>Defines <paramref name="moduleName"/>::<paramref name="name"/>, shadowing any earlier definition.</summary>
    public static void Define(nint linker, string moduleName, string name, ReadOnlySpan<byte> parameters, bool returnsI32,
        delegate* unmanaged[Cdecl]<nint, nint, NativeValue*, nuint, nint> callback)
    {
        nint functype = FuncType(parameters, returnsI32);
        try
        {
            byte[] module = Encoding.UTF8.GetBytes(moduleName);
            byte[] function = Encoding.UTF8.GetBytes(name);
            nint error;
            fixed (byte* m = module)
            fixed (byte* f = function)
            {
                WasmtimeNative.wasmtime_linker_allow_shadowing(linker, true);
                error = WasmtimeNative.wasmtime_linker_define_func_unchecked(linker, m, (nuint)module.Length, f, (nuint)function.Length, functype, callback, 0, 0);
                WasmtimeNative.wasmtime_linker_allow_shadowing(linker, false);
            }
            if (error != 0) throw BindingInternals.Error(error);
        }
        finally
        {
            WasmtimeNative.wasm_functype_delete(functype);
        }
    }

    private static nint FuncType(ReadOnlySpan<byte> parameters, bool returnsI32)
    {
        NativeValTypeVec parameterVec;
        if (parameters.IsEmpty)
        {
            WasmtimeNative.wasm_valtype_vec_new_empty(out parameterVec);
        }
        else
        {
            var types = stackalloc nint[parameters.Length];
            for (int i = 0; i < parameters.Length; i++) types[i] = WasmtimeNative.wasm_valtype_new(parameters[i]);
            WasmtimeNative.wasm_valtype_vec_new(out parameterVec, (nuint)parameters.Length, types);
        }
        NativeValTypeVec resultVec;
        if (returnsI32)
        {
            nint result = WasmtimeNative.wasm_valtype_new(I32);
            WasmtimeNative.wasm_valtype_vec_new(out resultVec, 1, &result);
        }
        else
        {
            WasmtimeNative.wasm_valtype_vec_new_empty(out resultVec);
        }
        return WasmtimeNative.wasm_functype_new(ref parameterVec, ref resultVec);
    }

    /// <summary>What an entry point returns for an exception it caught: a trap carrying the message, which ends the guest.</summary>
    public static nint Trap(Exception e) => WasmtimeNative.NewTrap(e.Message);
}
