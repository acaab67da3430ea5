using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Wasi;

namespace Fornax.Functions.Native;

/// <summary>
/// Installs the epoch-deadline callback on a request's store through a static unmanaged function pointer.
/// Why not <c>Store.SetEpochDeadlineCallback</c>: the binding wraps every call in a new delegate, pins it with a GCHandle
/// and marshals it to native code, which makes a fresh unmanaged thunk under a runtime-wide lock — once per request. A
/// perf profile under 32 concurrent requests showed threads queueing on that lock (<c>__lll_lock_wait</c> below the
/// marshalling stub). The callback itself runs only when a guest reaches its deadline, and finds the request through the
/// store's data, so registering it is one plain native call with nothing allocated.
/// </summary>
internal static unsafe class EpochDeadline
{
    /// <summary>
    /// From now on, reaching <paramref name="store"/>'s epoch deadline calls <see cref="InvocationContext.Deadline"/> of the
    /// store's data: a number of further ticks to go on, or null to stop the guest.
    /// </summary>
    public static void Register(nint store) => WasmtimeNative.wasmtime_store_epoch_deadline_callback(store, &OnDeadline, 0, 0);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint OnDeadline(nint context, nint data, ulong* delta, byte* updateKind)
    {
        // No exception may cross back into Wasmtime: every failure becomes an error, which stops the guest.
        try
        {
            nint handle = WasmtimeNative.wasmtime_context_get_data(context);
            if (handle != 0 && GCHandle.FromIntPtr(handle).Target is InvocationContext request && request.Deadline is { } deadline)
            {
                if (deadline(request) is ulong ticks)
                {
                    *delta = ticks;
                    return 0;
                }
                return WasmtimeNative.NewError("epoch deadline reached");
            }
            return WasmtimeNative.NewError("epoch deadline reached in a store without an invocation context");
        }
        catch (Exception e)
        {
            return WasmtimeNative.NewError($"epoch deadline callback failed: {e.Message}");
        }
    }
}
