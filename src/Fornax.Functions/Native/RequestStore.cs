using System.Runtime.InteropServices;
using Fornax.Functions.Wasi;
using Wasmtime;

namespace Fornax.Functions.Native;

/// <summary>
/// One request's Wasmtime store, made and used through the C API (see <see cref="WasmtimeNative"/> for why), with the
/// request's <see cref="InvocationContext"/> as its data. Dispose deletes the store, which returns its instance slot to
/// the pool. Failures are thrown as the binding's own exceptions (<see cref="WasmtimeException"/>,
/// <see cref="TrapException"/>), so they are classified in one place whatever made them.
/// </summary>
internal unsafe struct RequestStore : IDisposable
{
    private GCHandle _data;

    private RequestStore(nint store, GCHandle data)
    {
        Store = store;
        Context = WasmtimeNative.wasmtime_store_context(store);
        _data = data;
    }

    public nint Store { get; private set; }

    /// <summary>The store's <c>wasmtime_context_t*</c>, what instantiation, calls and memory access take.</summary>
    public nint Context { get; }

    /// <summary>A new store of <paramref name="engine"/> (a <c>wasm_engine_t*</c> the caller keeps alive).</summary>
    public static RequestStore Create(nint engine, InvocationContext data)
    {
        var handle = GCHandle.Alloc(data);
        return new RequestStore(WasmtimeNative.wasmtime_store_new(engine, GCHandle.ToIntPtr(handle), 0), handle);
    }

    /// <summary>Caps the store's linear memory at <paramref name="memoryBytes"/>; tables and instance counts stay unlimited.</summary>
    public readonly void LimitMemory(long memoryBytes) => WasmtimeNative.wasmtime_store_limiter(Store, memoryBytes, -1, -1, -1, -1);

    public readonly void SetEpochDeadline(ulong ticks)
    {
        WasmtimeNative.wasmtime_context_set_epoch_deadline(Context, ticks);
        EpochDeadline.Register(Store);
    }

    public readonly void SetFuel(ulong fuel) => ThrowIfError(WasmtimeNative.wasmtime_context_set_fuel(Context, fuel));

    /// <summary>Gives the store a Wasmtime WASI context with nothing granted (no preopens, no inherited stdio), for the calls the host does not serve.</summary>
    public readonly void AddWasmtimeWasi() => ThrowIfError(WasmtimeNative.wasmtime_context_set_wasi(Context, WasmtimeNative.wasi_config_new()));

    public readonly bool TryGetFunc(in NativeInstance instance, ReadOnlySpan<byte> name, out NativeFunc func)
    {
        func = default;
        if (!TryGetExport(instance, name, out var item) || item.Kind != NativeExtern.KindFunc) return false;
        func = item.Func;
        return true;
    }

    public readonly bool TryGetMemory(in NativeInstance instance, out WasmMemory memory)
    {
        memory = default;
        if (!TryGetExport(instance, "memory"u8, out var item)) return false;
        if (item.Kind != NativeExtern.KindMemory)
        {
            if (item.Kind == NativeExtern.KindSharedMemory) WasmtimeNative.wasmtime_extern_delete(ref item);
            return false;
        }
        memory = item.Memory;
        return true;
    }

    /// <summary>The memory as it is now (a call may have grown it).</summary>
    public readonly GuestMemory View(in WasmMemory memory) =>
        new(WasmtimeNative.wasmtime_memory_data(Context, in memory), WasmtimeNative.wasmtime_memory_data_size(Context, in memory));

    /// <summary>Calls <paramref name="func"/> with arguments in <paramref name="slots"/>, leaving its results there.</summary>
    public readonly void Call(in NativeFunc func, Span<NativeValue> slots)
    {
        nint error;
        nint trap;
        // Never a null pointer, even for no slots: Wasmtime makes a Rust slice of it, which must not be null.
        NativeValue none = default;
        fixed (NativeValue* pointer = slots)
        {
            error = WasmtimeNative.wasmtime_func_call_unchecked(Context, in func, slots.IsEmpty ? &none : pointer, (nuint)slots.Length, out trap);
        }
        ThrowIfError(error);
        if (trap != 0) throw BindingInternals.Trap(trap);
    }

    private readonly bool TryGetExport(in NativeInstance instance, ReadOnlySpan<byte> name, out NativeExtern item)
    {
        fixed (byte* pointer = name)
        {
            return WasmtimeNative.wasmtime_instance_export_get(Context, in instance, pointer, (nuint)name.Length, out item);
        }
    }

    private static void ThrowIfError(nint error)
    {
        if (error != 0) throw BindingInternals.Error(error);
    }

    public void Dispose()
    {
        if (Store != 0)
        {
            WasmtimeNative.wasmtime_store_delete(Store);
            Store = 0;
        }
        if (_data.IsAllocated) _data.Free();
    }
}
