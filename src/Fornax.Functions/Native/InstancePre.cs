using Wasmtime;

namespace Fornax.Functions.Native;

/// <summary>
/// A module with its imports already resolved against the runtime's linker (Wasmtime's <c>InstancePre</c>): made once
/// per module at load, so a request's instantiation does no name lookups or type checks, only the allocation and
/// initialisation of the instance. Linking problems therefore show at load, as a <see cref="WasmtimeException"/>.
/// </summary>
internal sealed class InstancePre : IDisposable
{
    // The native InstancePre holds its own reference to the compiled module, so it outlives a disposed Module.
    private nint _handle;

    private InstancePre(nint handle) => _handle = handle;

    /// <summary>Links <paramref name="module"/>; throws the binding's <see cref="WasmtimeException"/> (e.g. "unknown import").</summary>
    public static InstancePre Create(Linker linker, Module module)
    {
        nint error = WasmtimeNative.wasmtime_linker_instantiate_pre(BindingInternals.Handle(linker), BindingInternals.Handle(module), out nint handle);
        GC.KeepAlive(linker);
        GC.KeepAlive(module);
        if (error != 0) throw BindingInternals.Error(error);
        return new InstancePre(handle);
    }

    /// <summary>
    /// A fresh instance in the store of <paramref name="context"/> (which must belong to the linker's engine). Throws as
    /// <see cref="Linker.Instantiate(Store, Module)"/> does: a full instance pool or an over-limit memory as a
    /// <see cref="WasmtimeException"/>, a trapping start function as a <see cref="TrapException"/>.
    /// </summary>
    public NativeInstance Instantiate(nint context)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        nint error = WasmtimeNative.wasmtime_instance_pre_instantiate(_handle, context, out var instance, out nint trap);
        GC.KeepAlive(this);
        if (error != 0) throw BindingInternals.Error(error);
        if (trap != 0) throw BindingInternals.Trap(trap);
        return instance;
    }

    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) WasmtimeNative.wasmtime_instance_pre_delete(handle);
    }
}
