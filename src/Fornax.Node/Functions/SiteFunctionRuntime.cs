using Fornax.Functions;

namespace Fornax.Node.Functions;

/// <summary>
/// The site's Wasm runtime, created when the first Function needs it (admission or deployment), not at start. An engine
/// is not free even when idle: its pooling allocator maps every instance slot up front (≈ 2,100 memory mappings and
/// ≈ 0.5 TiB of address space with the defaults, measured in /proc/PID/maps) and its epoch ticker is a thread of its
/// own (parked while no guest runs). Most sites of a tree (regions, and edge sites that only hold configuration) never run a function.
/// </summary>
internal sealed class SiteFunctionRuntime : IDisposable
{
    private readonly Lock _gate = new();
    private FunctionRuntime? _runtime;
    private bool _disposed;

    /// <param name="options">Validated here, so a bad setting still fails the site at start.</param>
    public SiteFunctionRuntime(FunctionRuntimeOptions options)
    {
        options.Validate();
        Options = options;
    }

    public FunctionRuntimeOptions Options { get; }

    /// <summary>The runtime if one was created; null while no function has needed it.</summary>
    public FunctionRuntime? Current => Volatile.Read(ref _runtime);

    /// <summary>The runtime, created on the first call.</summary>
    public FunctionRuntime Get()
    {
        if (Volatile.Read(ref _runtime) is { } runtime)
        {
            return runtime;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_runtime is null)
            {
                Volatile.Write(ref _runtime, new FunctionRuntime(Options));
            }

            return _runtime;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _runtime?.Dispose();
        }
    }
}
