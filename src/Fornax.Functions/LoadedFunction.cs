using Wasmtime;

namespace Fornax.Functions;

/// <summary>
/// A function ready to invoke: its compiled module (shared by every function with the same digest) and its effective limits.
/// Returned by <see cref="FunctionRuntime.LoadAsync(FunctionDefinition, ReadOnlyMemory{byte}, CancellationToken)"/>; cheap to keep, safe to share.
/// </summary>
public sealed class LoadedFunction
{
    private int _inFlight;

    internal LoadedFunction(FunctionDefinition definition, CompiledModule module, FunctionLimits defaults, FunctionCounters counters, string? site)
    {
        Definition = definition;
        Module = module;
        Counters = counters;
        var own = definition.Limits;
        MemoryBytes = own?.MemoryBytes ?? defaults.MemoryBytes!.Value;
        Timeout = own?.Timeout ?? defaults.Timeout!.Value;
        MaxConcurrency = own?.MaxConcurrency ?? defaults.MaxConcurrency!.Value;
        Fuel = own?.Fuel ?? defaults.Fuel;
        Arguments = Wasi.StringBlock.Of(definition.Name);
        Cgi = new Wagi.CgiEnvironment(definition.Environment, site, definition.Name);
        RawEnvironment = RawVariables(definition, site);
    }

    /// <summary>A raw-ABI guest's environment is the same for every request: its name, the site, its own spec.env.</summary>
    private static Wasi.StringBlock RawVariables(FunctionDefinition definition, string? site)
    {
        var env = new List<(string, string)> { ("FORNAX_FUNCTION", definition.Name) };
        if (site is not null) env.Add(("FORNAX_SITE", site));
        if (definition.Environment is { } own)
            foreach (var (name, value) in own)
                if (name is not ("FORNAX_FUNCTION" or "FORNAX_SITE")) env.Add((name, value));
        return Wasi.StringBlock.OfVariables(env);
    }

    public FunctionDefinition Definition { get; }
    public string Name => Definition.Name;

    /// <summary><c>sha256:&lt;hex&gt;</c> of the module bytes.</summary>
    public string Digest => Module.Digest;

    /// <summary>Effective memory limit in bytes.</summary>
    public long MemoryBytes { get; }

    /// <summary>Effective timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Effective concurrency limit.</summary>
    public int MaxConcurrency { get; }

    /// <summary>Effective fuel budget (null: unmetered).</summary>
    public ulong? Fuel { get; }

    /// <summary>Invocations running now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    internal CompiledModule Module { get; }

    /// <summary>The guest's argv (its name), encoded once.</summary>
    internal Wasi.StringBlock Arguments { get; }

    /// <summary>Builds a WAGI request's environment on the part encoded once per function.</summary>
    internal Wagi.CgiEnvironment Cgi { get; }

    internal Wasi.StringBlock RawEnvironment { get; }
    internal FunctionCounters Counters { get; }

    /// <summary>Admits one invocation unless <see cref="MaxConcurrency"/> already run; no queue, so no unbounded wait.</summary>
    internal bool TryEnter()
    {
        if (Interlocked.Increment(ref _inFlight) <= MaxConcurrency) return true;
        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    internal void Exit() => Interlocked.Decrement(ref _inFlight);
}

/// <summary>A compiled module, linked, and what the host learnt about it once, at load.</summary>
internal sealed class CompiledModule(Module module, Native.InstancePre pre, string digest, bool importsWasi, bool needsWasmtimeWasi, bool exportsInitialize,
    bool importsState) : IDisposable
{
    /// <summary>True when it imports the <c>fornax</c> module (the KV store): its function must bind keyspaces.</summary>
    public bool ImportsState { get; } = importsState;

    public Module Module { get; } = module;

    /// <summary>The module with its imports resolved against the runtime's linker: what each request instantiates.</summary>
    public Native.InstancePre Pre { get; } = pre;

    public string Digest { get; } = digest;

    /// <summary>False for modules with no WASI imports (e.g. a pure raw-ABI module): their stores skip WASI setup.</summary>
    public bool ImportsWasi { get; } = importsWasi;

    /// <summary>True when it imports WASI calls beyond those the host serves (<see cref="Wasi.HostWasi"/>).</summary>
    public bool NeedsWasmtimeWasi { get; } = needsWasmtimeWasi;

    /// <summary>A WASI reactor's <c>_initialize</c>, run before a raw-ABI call.</summary>
    public bool ExportsInitialize { get; } = exportsInitialize;

    public void Dispose()
    {
        Pre.Dispose();
        Module.Dispose();
    }
}
