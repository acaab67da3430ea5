using System.Collections.Concurrent;
using System.Security.Cryptography;
using Wasmtime;

namespace Fornax.Functions;

public sealed partial class FunctionRuntime
{
    private const string WasiModule = "wasi_snapshot_preview1";

    // One compile per digest, however many functions or concurrent loads share it.
    private readonly ConcurrentDictionary<string, Lazy<Task<CompiledModule>>> _modules = new(StringComparer.Ordinal);
    private long _compiles;
    private long _diskCacheLoads;

    /// <summary>Reads the module from <paramref name="openModule"/> and loads it; see the overload taking bytes.</summary>
    public async Task<LoadedFunction> LoadAsync(FunctionDefinition definition, Func<Stream> openModule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(openModule);
        await using var stream = openModule();
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return await LoadAsync(definition, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compiles <paramref name="module"/> (once per digest: from the disk cache if it is there), links it, checks its ABI
    /// exports and registers the function under its name (a later load of the same name replaces it).
    /// Throws <see cref="FunctionCompileException"/> with the compiler's or linker's message when the module is unusable.
    /// </summary>
    public async Task<LoadedFunction> LoadAsync(FunctionDefinition definition, ReadOnlyMemory<byte> module, CancellationToken cancellationToken = default)
    {
        var compiled = await PrepareAsync(definition, module, cancellationToken).ConfigureAwait(false);
        var counters = _counters.GetOrAdd(definition.Name, static _ => new FunctionCounters());
        var loaded = new LoadedFunction(definition, compiled, _options.DefaultLimits, counters, _options.SiteName);
        _functions[definition.Name] = loaded;
        return loaded;
    }

    /// <summary>
    /// Checks that <paramref name="module"/> would load for <paramref name="definition"/> (compiles, links, fits the ABI)
    /// without registering anything, and returns its digest. The compile is cached, so a later load of the same module is
    /// free. For apply-time admission; throws <see cref="FunctionCompileException"/> like a load.
    /// </summary>
    public async Task<string> CheckAsync(FunctionDefinition definition, ReadOnlyMemory<byte> module, CancellationToken cancellationToken = default)
    {
        var compiled = await PrepareAsync(definition, module, cancellationToken).ConfigureAwait(false);
        return compiled.Digest;
    }

    private async Task<CompiledModule> PrepareAsync(FunctionDefinition definition, ReadOnlyMemory<byte> module, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (string.IsNullOrWhiteSpace(definition.Name))
            throw new ArgumentException($"FunctionDefinition.Name: \"{definition.Name}\" must not be empty", nameof(definition));
        _options.ValidateLimits($"function '{definition.Name}' limits", definition.Limits, requireAll: false);

        string digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(module.Span));
        if (definition.Digest is { } expected && !string.Equals(expected, digest, StringComparison.OrdinalIgnoreCase))
            throw new FunctionCompileException(definition.Name, $"digest mismatch: expected {expected}, module is {digest}");

        var compiled = await GetOrCompileAsync(definition.Name, digest, module).WaitAsync(cancellationToken).ConfigureAwait(false);
        CheckAbi(definition, compiled.Module);
        CheckState(definition, compiled);
        return compiled;
    }

    /// <summary>A module that uses the KV store needs a binding (and a store): refused at load, not at its first call.</summary>
    private void CheckState(FunctionDefinition definition, CompiledModule compiled)
    {
        if (compiled.ImportsState && definition.State is null)
            throw new FunctionCompileException(definition.Name,
                $"the module imports {State.HostState.Module}::{compiled.Module.Imports.First(i => i.ModuleName == State.HostState.Module).Name}, " +
                "but the function binds no keyspaces: set spec.state {keyspaces: [...]}");
        if (definition.State is not null && _options.State is null)
            throw new FunctionCompileException(definition.Name, "spec.state binds keyspaces, but this site has no KV store");
    }

    private Task<CompiledModule> GetOrCompileAsync(string name, string digest, ReadOnlyMemory<byte> bytes)
    {
        // The bytes are copied once: the compile runs on the thread pool after the caller's buffer may be reused.
        byte[] copy = bytes.ToArray();
        var entry = _modules.GetOrAdd(digest, d => new Lazy<Task<CompiledModule>>(() => Task.Run(() => CompileOrLoad(name, d, copy))));
        var task = entry.Value;
        // A failed compile is not cached: the next load retries (the failure may have been a disk error).
        task.ContinueWith(t => _modules.TryRemove(new(digest, entry)), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private CompiledModule CompileOrLoad(string name, string digest, byte[] bytes)
    {
        string? path = CachePath(digest);
        Module? module = null;
        if (path is not null && File.Exists(path))
        {
            try
            {
                module = Module.DeserializeFile(_engine, name, path);
                Interlocked.Increment(ref _diskCacheLoads);
                _metrics.ModuleReady(fromDisk: true);
            }
            catch (WasmtimeException)
            {
                // Written by another Wasmtime build or truncated: drop it and compile afresh.
                TryDelete(path);
            }
        }
        if (module is null)
        {
            try
            {
                module = Module.FromBytes(_engine, name, bytes);
            }
            catch (WasmtimeException e)
            {
                throw new FunctionCompileException(name, $"module does not compile: {e.Message}", e);
            }
            Interlocked.Increment(ref _compiles);
            _metrics.ModuleReady(fromDisk: false);
            if (path is not null) TryWriteCache(path, module);
        }
        Native.InstancePre pre;
        try
        {
            pre = Link(name, module);
        }
        catch
        {
            module.Dispose();
            throw;
        }
        bool importsWasi = module.Imports.Any(i => i.ModuleName == WasiModule);
        bool exportsInitialize = module.Exports.Any(e => e is FunctionExport { Name: "_initialize" });
        bool importsState = module.Imports.Any(i => i.ModuleName == State.HostState.Module);
        return new CompiledModule(module, pre, digest, importsWasi, Wasi.HostWasi.NeedsWasmtimeContext(module), exportsInitialize, importsState);
    }

    private string? CachePath(string digest) =>
        _options.CacheDirectory is null ? null
            : Path.Combine(_options.CacheDirectory, _engineKey, digest.Replace("sha256:", "", StringComparison.Ordinal) + ".cwasm");

    private static void TryWriteCache(string path, Module module)
    {
        // Write-then-rename, so a crash or a concurrent runtime never leaves a half-written artifact under the final name.
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(temp, module.Serialize());
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is an optimisation: a read-only or full disk costs a recompile after restart, not a failed load.
            TryDelete(temp);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Links once at load, so an unknown import is an apply-time error, not a 500 on every request.</summary>
    private Native.InstancePre Link(string name, Module module)
    {
        foreach (var import in module.Imports)
            if (import.ModuleName is not (WasiModule or State.HostState.Module))
                throw new FunctionCompileException(name,
                    $"unsupported import {import.ModuleName}::{import.Name}: functions may import only {WasiModule} and {State.HostState.Module}");
        try
        {
            return Native.InstancePre.Create(_linker, module);
        }
        catch (WasmtimeException e)
        {
            // "unknown import: `wasi_snapshot_preview1::nope` has not been defined", or a type mismatch.
            throw new FunctionCompileException(name, $"module does not link: {FirstLine(e.Message)}", e);
        }
    }

    private static void CheckAbi(FunctionDefinition definition, Module module)
    {
        FunctionExport? Function(string name) => module.Exports.OfType<FunctionExport>().FirstOrDefault(e => e.Name == name);
        void Require(bool ok, string what)
        {
            if (!ok) throw new FunctionCompileException(definition.Name, $"the {definition.Abi.ToString().ToLowerInvariant()} ABI requires {what}");
        }
        static bool Signature(FunctionExport? f, ValueKind[] parameters, ValueKind[] results) =>
            f is not null && f.Parameters.SequenceEqual(parameters) && f.Results.SequenceEqual(results);

        switch (definition.Abi)
        {
            case FunctionAbi.Wagi:
                Require(Signature(Function("_start"), [], []), "an exported function _start: () -> ()");
                break;
            case FunctionAbi.Raw:
                Require(module.Exports.OfType<MemoryExport>().Any(m => m.Name == "memory"), "an exported memory named memory");
                Require(Signature(Function("alloc"), [ValueKind.Int32], [ValueKind.Int32]), "an exported function alloc: (i32 len) -> i32 ptr");
                Require(Signature(Function("handle"), [ValueKind.Int32, ValueKind.Int32], [ValueKind.Int64]),
                    "an exported function handle: (i32 ptr, i32 len) -> i64 (ptr << 32 | len)");
                break;
            default:
                throw new FunctionCompileException(definition.Name, $"unknown ABI {definition.Abi}");
        }
    }

    internal static string FirstLine(string message)
    {
        int newline = message.IndexOf('\n');
        return (newline < 0 ? message : message[..newline]).Trim();
    }
}
