using System.Collections.Frozen;
using Wasmtime;

namespace Fornax.Functions.Wasi;

/// <summary>
/// The WASI preview-1 calls the host serves from the request's <see cref="InvocationContext"/>: stdio, environment and
/// arguments, exit — everything a WAGI program needs. A module that imports nothing else gets no Wasmtime WASI context at
/// all (building one per request costs about a microsecond); one that imports more (clocks, random, the filesystem calls,
/// which find no preopened directory) gets Wasmtime's for the rest.
/// </summary>
internal static class HostWasi
{
    public static readonly FrozenSet<string> Served =
        HostStdio.Names.Concat(HostEnvironment.Names).Concat(HostExit.Names).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Defines the host's calls over Wasmtime's (which <see cref="Linker.DefineWasi"/> must have defined first).</summary>
    public static void Define(Linker linker)
    {
        nint handle = Native.BindingInternals.Handle(linker);
        Define(handle);
        GC.KeepAlive(linker);
    }

    private static void Define(nint linker)
    {
        HostStdio.Define(linker);
        HostEnvironment.Define(linker);
        HostExit.Define(linker);
    }

    /// <summary>True when <paramref name="module"/> imports a WASI call the host does not serve itself.</summary>
    public static bool NeedsWasmtimeContext(Module module) =>
        module.Imports.Any(i => i.ModuleName == Preview1.Module && !Served.Contains(i.Name));
}
