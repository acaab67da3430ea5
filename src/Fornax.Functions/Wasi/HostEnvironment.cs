using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Native;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Serves WASI <c>environ_*</c> and <c>args_*</c> from the request's <see cref="InvocationContext"/> instead of
/// Wasmtime's WASI context. Why: a CGI request has ~20 variables and every libc reads them all at start-up; through
/// Wasmtime's WASI they are marshalled into a new WASI context per request and copied out again through its generic
/// preview-1 layer, which made the C hello ~4× slower than a guest that skips them (docs/benchmarks.md).
/// </summary>
internal static unsafe class HostEnvironment
{
    /// <summary>What <see cref="Define"/> serves.</summary>
    public static readonly string[] Names = ["environ_sizes_get", "environ_get", "args_sizes_get", "args_get"];

    public static void Define(nint linker)
    {
        HostCall.Define(linker, "environ_sizes_get", [HostCall.I32, HostCall.I32], true, &EnvironSizesGet);
        HostCall.Define(linker, "environ_get", [HostCall.I32, HostCall.I32], true, &EnvironGet);
        HostCall.Define(linker, "args_sizes_get", [HostCall.I32, HostCall.I32], true, &ArgsSizesGet);
        HostCall.Define(linker, "args_get", [HostCall.I32, HostCall.I32], true, &ArgsGet);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint EnvironSizesGet(nint env, nint caller, NativeValue* slots, nuint count) => Serve(caller, slots, environment: true, sizes: true);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint EnvironGet(nint env, nint caller, NativeValue* slots, nuint count) => Serve(caller, slots, environment: true, sizes: false);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint ArgsSizesGet(nint env, nint caller, NativeValue* slots, nuint count) => Serve(caller, slots, environment: false, sizes: true);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint ArgsGet(nint env, nint caller, NativeValue* slots, nuint count) => Serve(caller, slots, environment: false, sizes: false);

    private static nint Serve(nint caller, NativeValue* slots, bool environment, bool sizes)
    {
        uint first = (uint)slots[0].I32, second = (uint)slots[1].I32;
        try
        {
            int errno = Preview1.Fault;
            if (InvocationContext.From(caller) is { } context && context.TryMemory(caller, out var memory))
            {
                var strings = environment ? context.Environment : context.Arguments;
                errno = sizes ? Sizes(memory, strings, first, second) : Get(memory, strings, first, second);
            }
            slots[0].I32 = errno;
            return 0;
        }
        catch (Exception e)
        {
            return HostCall.Trap(e);
        }
    }

    private static int Sizes(GuestMemory memory, StringBlock strings, uint countPointer, uint sizePointer) =>
        memory.TryWriteInt32(countPointer, strings.Count) && memory.TryWriteInt32(sizePointer, strings.Bytes.Length)
            ? Preview1.Success : Preview1.Fault;

    /// <summary>Writes the pointer array at <paramref name="pointers"/> and the NUL-terminated strings at <paramref name="buffer"/>.</summary>
    private static int Get(GuestMemory memory, StringBlock strings, uint pointers, uint buffer)
    {
        if (!memory.TryGet(buffer, (uint)strings.Bytes.Length, out var into)) return Preview1.Fault;
        var offsets = strings.Offsets;
        if (!memory.TryGet(pointers, (uint)offsets.Length * 4, out _)) return Preview1.Fault;
        strings.Bytes.CopyTo(into);
        for (var i = 0; i < offsets.Length; i++)
        {
            ulong address = buffer + (ulong)offsets[i];
            if (address > uint.MaxValue || !memory.TryWriteInt32(pointers + ((uint)i * 4), (int)(uint)address)) return Preview1.Fault;
        }

        return Preview1.Success;
    }
}
