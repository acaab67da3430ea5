using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Wasmtime;
using Module = Wasmtime.Module;

namespace Fornax.Functions.Native;

/// <summary>
/// Reaches the handles inside the Wasmtime .NET binding (pinned in Directory.Packages.props) that
/// <see cref="InstancePre"/> needs, and wraps a native instance back into the binding's <see cref="Instance"/> so the
/// rest of the runtime uses the binding as before. Why not upstream: the binding has no InstancePre (checked in 50.0.1).
/// Everything is looked up once, at type initialisation; a binding whose internals moved fails there, with the name of
/// what is missing, at the first function load — never mid-request.
/// </summary>
internal static class BindingInternals
{
    private const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;
    private const BindingFlags PrivateStatic = BindingFlags.NonPublic | BindingFlags.Static;

    private static readonly FieldInfo LinkerHandle = Field(typeof(Linker), "handle");
    private static readonly PropertyInfo ModuleHandle =
        typeof(Module).GetProperty("NativeHandle", Private) ?? throw Missing("Wasmtime.Module.NativeHandle");

    private static readonly Func<Store, ulong, nuint, Instance> NewInstance = CompileInstanceFactory();

    private static readonly Func<nint, WasmtimeException> FromOwnedError =
        (typeof(WasmtimeException).GetMethod("FromOwnedError", PrivateStatic, [typeof(nint)]) ?? throw Missing("WasmtimeException.FromOwnedError(IntPtr)"))
        .CreateDelegate<Func<nint, WasmtimeException>>();

    private static readonly Func<nint, bool, TrapException> FromOwnedTrap =
        (typeof(TrapException).GetMethod("FromOwnedTrap", PrivateStatic, [typeof(nint), typeof(bool)]) ?? throw Missing("TrapException.FromOwnedTrap(IntPtr, bool)"))
        .CreateDelegate<Func<nint, bool, TrapException>>();

    /// <summary>The store's <c>wasmtime_context_t*</c>; valid while the store is alive.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "contextHandle")]
    internal static extern ref nint ContextHandle(Store store);

    /// <summary>The linker's <c>wasmtime_linker_t*</c>; the caller keeps the linker alive while using it.</summary>
    internal static nint Handle(Linker linker) => ((SafeHandle)LinkerHandle.GetValue(linker)!).DangerousGetHandle();

    /// <summary>The module's <c>wasmtime_module_t*</c>; the caller keeps the module alive while using it.</summary>
    internal static nint Handle(Module module) => ((SafeHandle)ModuleHandle.GetValue(module)!).DangerousGetHandle();

    /// <summary>The binding's view of an instance the C API made in <paramref name="store"/>.</summary>
    internal static Instance Wrap(Store store, NativeInstance instance) => NewInstance(store, instance.StoreId, instance.Index);

    /// <summary>The exception the binding itself throws for an owned <c>wasmtime_error_t*</c> (exit codes included).</summary>
    internal static WasmtimeException Error(nint error) => FromOwnedError(error);

    /// <summary>The exception the binding itself throws for an owned <c>wasm_trap_t*</c> (trap code included); frees it.</summary>
    internal static TrapException Trap(nint trap) => FromOwnedTrap(trap, true);

    /// <summary>
    /// <c>(store, id, index) =&gt; new Instance(store, new ExternInstance { store = id, __private = index })</c>: the
    /// constructor and struct are internal, so this is emitted once instead of reflected per request.
    /// </summary>
    private static Func<Store, ulong, nuint, Instance> CompileInstanceFactory()
    {
        var externInstance = typeof(Instance).Assembly.GetType("Wasmtime.ExternInstance") ?? throw Missing("Wasmtime.ExternInstance");
        var storeId = Field(externInstance, "store");
        var index = Field(externInstance, "__private");
        if (storeId.FieldType != typeof(ulong) || index.FieldType != typeof(nuint))
            throw Missing("ExternInstance { ulong store; nuint __private }");
        var constructor = typeof(Instance).GetConstructor(Private, [typeof(Store), externInstance])
            ?? throw Missing("Instance(Store, ExternInstance)");

        var method = new DynamicMethod("WrapInstance", typeof(Instance), [typeof(Store), typeof(ulong), typeof(nuint)], typeof(Instance).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var value = il.DeclareLocal(externInstance);
        il.Emit(OpCodes.Ldloca_S, value);
        il.Emit(OpCodes.Initobj, externInstance);
        il.Emit(OpCodes.Ldloca_S, value);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, storeId);
        il.Emit(OpCodes.Ldloca_S, value);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Stfld, index);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldloc, value);
        il.Emit(OpCodes.Newobj, constructor);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<Store, ulong, nuint, Instance>>();
    }

    private static FieldInfo Field(Type type, string name) => type.GetField(name, Private | BindingFlags.Public) ?? throw Missing($"{type.FullName}.{name}");

    private static InvalidOperationException Missing(string what) =>
        new($"the Wasmtime .NET binding {typeof(Engine).Assembly.GetName().Version} has no {what}; Fornax's InstancePre " +
            "(src/Fornax.Functions/Native) was written against the binding pinned in Directory.Packages.props");
}
