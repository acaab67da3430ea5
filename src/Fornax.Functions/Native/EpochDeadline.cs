using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Fornax.Functions.Wasi;
using Wasmtime;

namespace Fornax.Functions.Native;

/// <summary>
/// Installs the epoch-deadline callback on a request's store through a static unmanaged function pointer.
/// Why not <c>Store.SetEpochDeadlineCallback</c>: the binding wraps every call in a new delegate, pins it with a GCHandle
/// and marshals it to native code, which makes a fresh unmanaged thunk under a runtime-wide lock — once per request. A
/// perf profile under 32 concurrent requests showed threads queueing on that lock (<c>__lll_lock_wait</c> below the
/// marshalling stub). The callback itself runs only when a guest reaches its deadline, and finds the request through the
/// store's data, so registering it is one plain native call with nothing allocated.
/// </summary>
internal static unsafe partial class EpochDeadline
{
    private static readonly Func<Store, SafeHandle> StoreHandle =
        (typeof(Store).GetProperty("NativeHandle", BindingFlags.NonPublic | BindingFlags.Instance)?.GetMethod
            ?? throw new InvalidOperationException($"the Wasmtime .NET binding {typeof(Store).Assembly.GetName().Version} has no Store.NativeHandle"))
        .CreateDelegate<Func<Store, SafeHandle>>();

    /// <summary>
    /// From now on, reaching <paramref name="store"/>'s epoch deadline calls <see cref="InvocationContext.Deadline"/> of the
    /// store's data: a number of further ticks to go on, or null to stop the guest.
    /// </summary>
    public static void Register(Store store)
    {
        wasmtime_store_epoch_deadline_callback(StoreHandle(store).DangerousGetHandle(), &OnDeadline, 0, 0);
        GC.KeepAlive(store);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nint OnDeadline(nint context, nint data, ulong* delta, byte* updateKind)
    {
        // No exception may cross back into Wasmtime: every failure becomes an error, which stops the guest.
        try
        {
            // The binding keeps a GCHandle to its Store as the native store's data.
            if (GCHandle.FromIntPtr(wasmtime_context_get_data(context)).Target is Store { } store
                && store.GetData() is InvocationContext request && request.Deadline is { } deadline)
            {
                if (deadline(request) is ulong ticks)
                {
                    *delta = ticks;
                    return 0;
                }
                return wasmtime_error_new("epoch deadline reached");
            }
            return wasmtime_error_new("epoch deadline reached in a store without an invocation context");
        }
        catch (Exception e)
        {
            return wasmtime_error_new($"epoch deadline callback failed: {e.Message}");
        }
    }

    [LibraryImport("wasmtime")]
    private static partial void wasmtime_store_epoch_deadline_callback(
        nint store, delegate* unmanaged[Cdecl]<nint, nint, ulong*, byte*, nint> callback, nint data, nint finalizer);

    [LibraryImport("wasmtime")]
    private static partial nint wasmtime_context_get_data(nint context);

    [LibraryImport("wasmtime", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint wasmtime_error_new(string message);
}
