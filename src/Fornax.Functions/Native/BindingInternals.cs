using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using Wasmtime;
using Module = Wasmtime.Module;

namespace Fornax.Functions.Native;

/// <summary>
/// Reaches the handles inside the Wasmtime .NET binding (pinned in Directory.Packages.props) that the C API calls of
/// <see cref="InstancePre"/>, <see cref="RequestStore"/> and the host functions need, and the binding's own conversion of
/// native errors and traps into its exceptions. Why not upstream: the binding has no InstancePre (checked in 50.0.1), and
/// its per-request objects are what <see cref="WasmtimeNative"/> avoids.
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

    private static readonly PropertyInfo EngineHandle =
        typeof(Engine).GetProperty("NativeHandle", Private) ?? throw Missing("Wasmtime.Engine.NativeHandle");

    private static readonly Func<nint, WasmtimeException> FromOwnedError =
        (typeof(WasmtimeException).GetMethod("FromOwnedError", PrivateStatic, [typeof(nint)]) ?? throw Missing("WasmtimeException.FromOwnedError(IntPtr)"))
        .CreateDelegate<Func<nint, WasmtimeException>>();

    private static readonly Func<nint, bool, TrapException> FromOwnedTrap =
        (typeof(TrapException).GetMethod("FromOwnedTrap", PrivateStatic, [typeof(nint), typeof(bool)]) ?? throw Missing("TrapException.FromOwnedTrap(IntPtr, bool)"))
        .CreateDelegate<Func<nint, bool, TrapException>>();

    /// <summary>The linker's <c>wasmtime_linker_t*</c>; the caller keeps the linker alive while using it.</summary>
    internal static nint Handle(Linker linker) => ((SafeHandle)LinkerHandle.GetValue(linker)!).DangerousGetHandle();

    /// <summary>The module's <c>wasmtime_module_t*</c>; the caller keeps the module alive while using it.</summary>
    internal static nint Handle(Module module) => ((SafeHandle)ModuleHandle.GetValue(module)!).DangerousGetHandle();

    /// <summary>The engine's <c>wasm_engine_t*</c>; the caller keeps the engine alive while using it.</summary>
    internal static nint Handle(Engine engine) => ((SafeHandle)EngineHandle.GetValue(engine)!).DangerousGetHandle();

    /// <summary>The exception the binding itself throws for an owned <c>wasmtime_error_t*</c> (exit codes included).</summary>
    internal static WasmtimeException Error(nint error) => FromOwnedError(error);

    /// <summary>The exception the binding itself throws for an owned <c>wasm_trap_t*</c> (trap code included); frees it.</summary>
    internal static TrapException Trap(nint trap) => FromOwnedTrap(trap, true);

    // The annotation tells the trimmer and Native AOT to keep the fields of the literal type passed in (typeof(Linker)).
    private static FieldInfo Field([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields)] Type type, string name) => type.GetField(name, Private | BindingFlags.Public) ?? throw Missing($"{type.FullName}.{name}");

    private static InvalidOperationException Missing(string what) =>
        new($"the Wasmtime .NET binding {typeof(Engine).Assembly.GetName().Version} has no {what}; Fornax's InstancePre " +
            "(src/Fornax.Functions/Native) was written against the binding pinned in Directory.Packages.props");
}
