using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Native;

namespace Fornax.Functions.Wasi;

/// <summary>
/// Serves <c>proc_exit</c>: records the status in the request's <see cref="InvocationContext"/> and unwinds the guest
/// with a trap (the runtime reads the status from the context, not the trap). Like Wasmtime's own, a status of 126 or
/// more is not an exit but an error (the range WASI leaves to the host).
/// </summary>
internal static unsafe class HostExit
{
    /// <summary>What <see cref="Define"/> serves.</summary>
    public static readonly string[] Names = ["proc_exit"];

    public static void Define(nint linker) => HostCall.Define(linker, "proc_exit", [HostCall.I32], false, &Exit);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint Exit(nint env, nint caller, NativeValue* slots, nuint count)
    {
        int status = slots[0].I32;
        try
        {
            var context = InvocationContext.From(caller);
            if ((uint)status >= 126)
            {
                string message = $"exit with invalid exit status outside of [0..126): {(uint)status}";
                if (context is not null) context.HostFailure = message;
                return WasmtimeNative.NewTrap(message);
            }
            if (context is not null) context.ExitStatus = status;
            return WasmtimeNative.NewTrap($"guest exited with status {status}");
        }
        catch (Exception e)
        {
            return HostCall.Trap(e);
        }
    }
}
